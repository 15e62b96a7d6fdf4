using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Truffle.Generators.Diagnostics;
using Truffle.Generators.Parsing;

namespace Truffle.Generators.Schema;

/// <summary>
/// Compares the annotated types of the compilation with the committed lock, and reports each change that would
/// break devices on the locked version (TRF010–TRF012) at the member or type that makes it. Compatible changes, new
/// types and removed types are accepted; see docs/schema-evolution.md.
/// </summary>
internal static class SchemaChecker
{
    public static void Report(SourceProductionContext context, ImmutableArray<ParseResult> results, SchemaLock? schemaLock)
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
        }

        foreach (SchemaMember old in before.Members.Where(m => m.Required && !currentKeys.Contains(m.Key)))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RemovedRequiredMember, result.Location, result.TypeName, old.Key));
        }
    }
}
