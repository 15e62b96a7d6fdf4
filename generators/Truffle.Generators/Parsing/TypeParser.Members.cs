using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Diagnostics;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Parsing;

internal sealed partial class TypeParser
{
    /// <summary>
    /// Reduces the candidate members to the serialized ones: TRF002 for an unsupported type, TRF008 for a key that
    /// an earlier member already has. A member that nothing could set on the way back in (computed, and not a
    /// constructor parameter) is left off the wire.
    /// </summary>
    private ParsedMembers ParseMembers(List<MemberCollector.Candidate> candidates, IMethodSymbol? constructor)
    {
        Dictionary<int, IParameterSymbol> parameters = ParametersByCandidate(candidates, constructor);
        var members = new ParsedMembers();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < candidates.Count; i++)
        {
            MemberCollector.Candidate candidate = candidates[i];
            if (!parameters.TryGetValue(i, out IParameterSymbol? parameter) && !candidate.IsSettable)
            {
                continue;
            }

            TypeShape? shape = _shapes.Parse(candidate.Type);
            if (shape is null)
            {
                string kind = candidate.Symbol is IFieldSymbol ? "Field" : "Property";
                string typeName = candidate.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
                ReportMember(DiagnosticDescriptors.UnsupportedMemberType, candidate.Symbol, kind, candidate.Symbol.Name, typeName);
                members.Unsupported++;
                continue;
            }

            if (Key(candidate, parameter) is not { } key)
            {
                continue;
            }

            if (keys.TryGetValue(key, out string? other))
            {
                ReportMember(DiagnosticDescriptors.DuplicateKey, candidate.Symbol, other, candidate.Symbol.Name, _displayName, key);
                continue;
            }

            keys[key] = candidate.Symbol.Name;
            members.IndexByCandidate[i] = members.Models.Count;
            string? defaultValue = parameter is not null ? DefaultValues.Format(parameter, shape) : null;

            // Only these have no value to take when a sender's version lacks them: a value type has its default, a
            // settable member its initializer, and a nullable one null.
            bool required = candidate.IsRequired
                || (parameter is not null && !parameter.HasExplicitDefaultValue && !shape.IsNullable && !shape.IsValueType);
            members.Locations.Add(candidate.Symbol.Locations.FirstOrDefault());
            members.Models.Add(new MemberModel(candidate.Symbol.Name, key, shape, candidate.IsSettable, candidate.MustInitialize, defaultValue, required));
        }

        return members;
    }

    /// <summary>
    /// The member's wire key: its <c>[TruffleName]</c> (on the member, or on the constructor parameter that sets it),
    /// else the camelCase of its name. Null, with TRF003, for an empty name.
    /// </summary>
    private string? Key(MemberCollector.Candidate candidate, IParameterSymbol? parameter)
    {
        AttributeData? attribute = KnownTypeSymbols.FindAttribute(candidate.Symbol, _known.NameAttribute)
            ?? (parameter is null ? null : KnownTypeSymbols.FindAttribute(parameter, _known.NameAttribute));
        if (attribute is null)
        {
            return WireNames.ToCamelCase(candidate.Symbol.Name);
        }

        string? name = WireAttributes.Name(attribute);
        if (string.IsNullOrEmpty(name))
        {
            Location location = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? _identifier;
            _diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidWireName, location, "Key", name ?? string.Empty, "is empty"));
            return null;
        }

        return name;
    }

    /// <summary>Which constructor parameter, if any, sets each candidate member.</summary>
    private static Dictionary<int, IParameterSymbol> ParametersByCandidate(List<MemberCollector.Candidate> candidates, IMethodSymbol? constructor)
    {
        var parameters = new Dictionary<int, IParameterSymbol>();
        foreach (IParameterSymbol parameter in constructor?.Parameters ?? [])
        {
            int index = MemberCollector.FindMember(candidates, parameter);
            if (index >= 0)
            {
                parameters[index] = parameter;
            }
        }

        return parameters;
    }

    /// <summary>What the formatter passes for each constructor parameter: a member, or the parameter's default.</summary>
    private static EquatableArray<ConstructorArgument> ConstructorArguments(IMethodSymbol constructor, List<MemberCollector.Candidate> candidates, ParsedMembers members) =>
        constructor.Parameters
            .Select(p => MemberCollector.FindMember(candidates, p) is var c && c >= 0 && members.IndexByCandidate.TryGetValue(c, out int m)
                ? new ConstructorArgument(m, null)
                : new ConstructorArgument(-1, DefaultValues.Format(p, null) ?? "default!"))
            .ToEquatableArray();

    private void ReportMember(DiagnosticDescriptor descriptor, ISymbol member, params object[] arguments) =>
        _diagnostics.Add(Diagnostic.Create(descriptor, MemberCollector.TypeLocation(member) ?? _identifier, arguments));

    /// <summary>The serialized members, and how many candidates were left out for an unsupported type.</summary>
    private sealed class ParsedMembers
    {
        public List<MemberModel> Models { get; } = [];

        /// <summary>Where each of <see cref="Models"/> is declared.</summary>
        public List<Location?> Locations { get; } = [];

        /// <summary>Candidate index to <see cref="Models"/> index, for the members that made it.</summary>
        public Dictionary<int, int> IndexByCandidate { get; } = [];

        public int Unsupported { get; set; }
    }
}
