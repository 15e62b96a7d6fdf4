using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Truffle.Generators.Diagnostics;
using Truffle.Generators.Model;
using Truffle.Generators.Parsing;

namespace Truffle.Generators.Schema;

/// <summary>
/// Compares the annotated types of the compilation with the committed lock, and reports each change that would
/// break devices on the locked version (TRF010–TRF012, TRF015) at the member or type that makes it, and each message
/// type the lock records that is gone (TRF014) at its entry in the lock. Compatible changes, new types and removed
/// slices are accepted; see docs/schema-evolution.md.
/// </summary>
internal static class SchemaChecker
{
    public static void Report(SourceProductionContext context, ImmutableArray<ParseResult> results, ReferencedContracts references, SchemaLock? schemaLock)
    {
        if (schemaLock is null)
        {
            return;
        }

        if (schemaLock.Schema is not { } locked)
        {
            Location file = Location.Create(schemaLock.Path, default, default(LinePositionSpan));
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreadableSchemaLock, file, schemaLock.Error));
            return;
        }

        var lockedTypes = new Dictionary<string, SchemaType>(System.StringComparer.Ordinal);
        foreach (SchemaType type in locked.Types)
        {
            lockedTypes[type.Wire] = type;
        }

        foreach (ParseResult result in results)
        {
            if (result.Model is not { } model)
            {
                continue;
            }

            foreach (SchemaType current in SchemaBuilder.Entries(model))
            {
                if (lockedTypes.TryGetValue(current.Wire, out SchemaType? before))
                {
                    Check(context, result, before, current);
                }
            }
        }

        ReportRemovedMessages(context, results, references, schemaLock, locked);
    }

    /// <summary>
    /// A locked message that no type claims any more, here or in a referenced assembly (a message moved to a contracts
    /// library is still declared). Claims of types that failed to parse count, so their own error is not doubled.
    /// </summary>
    private static void ReportRemovedMessages(SourceProductionContext context, ImmutableArray<ParseResult> results, ReferencedContracts references, SchemaLock schemaLock, SchemaModel locked)
    {
        var claimed = new HashSet<string>(results.SelectMany(r => r.WireKeys), System.StringComparer.Ordinal);
        claimed.UnionWith(references.Claims.Select(c => c.Key));
        for (int i = 0; i < locked.Types.Count; i++)
        {
            SchemaType type = locked.Types[i];
            if (!claimed.Contains(type.Wire) && WireNames.ParseMessageKey(type.Wire) is var (ns, wireType))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.RemovedMessageType, schemaLock.LocationOf(i), $"{ns}/{wireType}", type.CSharpName, ns, wireType));
            }
        }
    }

    private static void Check(SourceProductionContext context, ParseResult result, SchemaType before, SchemaType current)
    {
        if (!string.Equals(before.Reply, current.Reply, System.StringComparison.Ordinal)
            && !(before.Reply is not null && current.Reply is not null && WireTypes.AreCompatible(before.Reply.TrimEnd('?'), current.Reply.TrimEnd('?'))))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.WireTypeChanged, result.Location, "The reply", result.TypeName, current.Reply ?? "no reply", before.Reply ?? "no reply"));
        }

        var lockedMembers = before.Members.ToDictionary(m => m.Key, System.StringComparer.Ordinal);
        var currentKeys = new HashSet<string>(System.StringComparer.Ordinal);
        for (int i = 0; i < current.Members.Count; i++)
        {
            SchemaMember member = current.Members[i];
            currentKeys.Add(member.Key);
            Location? location = i < result.MemberLocations.Length ? result.MemberLocations[i] ?? result.Location : result.Location;
            if (!lockedMembers.TryGetValue(member.Key, out SchemaMember? old))
            {
                if (member.Required)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NewMemberWithoutDefault, location, member.Name, result.TypeName, member.Key));
                }
            }
            else if (!WireTypes.AreCompatible(old.WireType, member.WireType))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.WireTypeChanged, location, $"'{member.Name}'", result.TypeName, member.WireType, old.WireType));
            }
            else if (EnumChanges.Between(old.Enum, member.Enum) is { } changes)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.EnumChanged, location, member.Name, result.TypeName, changes));
            }
        }

        foreach (SchemaMember old in before.Members.Where(m => m.Required && !currentKeys.Contains(m.Key)))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RemovedRequiredMember, result.Location, result.TypeName, old.Key));
        }
    }
}
