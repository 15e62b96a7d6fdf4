using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Truffle.Generators.Parsing;

/// <summary>
/// Finds the members Truffle serializes (public instance properties and fields, base types first, in declaration
/// order) and the constructor the formatter calls.
/// </summary>
internal static class MemberCollector
{
    /// <summary>A candidate member: its symbol, type and whether an object initializer can set it.</summary>
    public readonly record struct Candidate(ISymbol Symbol, ITypeSymbol Type, bool IsSettable, bool MustInitialize, bool IsRequired);

    public static List<Candidate> Collect(INamedTypeSymbol type, KnownTypeSymbols known)
    {
        var hierarchy = new Stack<INamedTypeSymbol>();
        for (INamedTypeSymbol? t = type; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
        {
            hierarchy.Push(t);
        }

        // Base members come first; a derived member with the same name (an override or a 'new' member) takes the
        // base member's place, so the most derived declaration is the one read and written.
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var ignored = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<Candidate>();
        foreach (INamedTypeSymbol t in hierarchy)
        {
            foreach (ISymbol member in t.GetMembers())
            {
                if (ToCandidate(member) is not { } candidate)
                {
                    continue;
                }

                if (KnownTypeSymbols.FindAttribute(member, known.IgnoreAttribute) is not null || ignored.Contains(member.Name))
                {
                    // An ignored member stays ignored in derived types that override or hide it.
                    ignored.Add(member.Name);
                    if (positions.TryGetValue(member.Name, out int hidden))
                    {
                        candidates[hidden] = default;
                    }
                }
                else if (positions.TryGetValue(member.Name, out int position))
                {
                    candidates[position] = candidate;
                }
                else
                {
                    positions[member.Name] = candidates.Count;
                    candidates.Add(candidate);
                }
            }
        }

        return candidates.Where(c => c.Symbol is not null).ToList();
    }

    /// <summary>
    /// The constructor whose parameters all match members (by name, ignoring case, and type) or have defaults;
    /// among several, the one that takes the most members. The formatter is nested in the type, so any
    /// accessibility works. Null when there is none.
    /// </summary>
    public static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, List<Candidate> candidates)
    {
        IMethodSymbol? best = null;
        int bestMatched = -1;
        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            if (constructor.IsStatic || IsCopyConstructor(type, constructor))
            {
                continue;
            }

            int matched = 0;
            bool usable = true;
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                if (FindMember(candidates, parameter) >= 0)
                {
                    matched++;
                }
                else if (!parameter.HasExplicitDefaultValue)
                {
                    usable = false;
                    break;
                }
            }

            if (usable && (matched > bestMatched || (matched == bestMatched && constructor.Parameters.Length < best!.Parameters.Length)))
            {
                best = constructor;
                bestMatched = matched;
            }
        }

        return best;
    }

    public static int FindMember(List<Candidate> candidates, IParameterSymbol parameter)
    {
        for (int i = 0; i < candidates.Count; i++)
        {
            if (string.Equals(candidates[i].Symbol.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
                && SymbolEqualityComparer.Default.Equals(candidates[i].Type, parameter.Type))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The syntax to point at when a member's type is not supported.</summary>
    public static Location? TypeLocation(ISymbol member)
    {
        foreach (SyntaxReference reference in member.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax();
            TypeSyntax? typeSyntax = node switch
            {
                PropertyDeclarationSyntax property => property.Type,
                ParameterSyntax parameter => parameter.Type,
                VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration } => declaration.Type,
                _ => null,
            };
            return typeSyntax?.GetLocation() ?? node.GetLocation();
        }

        return null;
    }

    private static Candidate? ToCandidate(ISymbol member) => member switch
    {
        IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } property
            when property.Name != "EqualityContract" && property.RefKind == RefKind.None
            => new Candidate(property, property.Type, property.SetMethod is not null, property.SetMethod?.IsInitOnly == true || property.IsRequired, property.IsRequired),
        IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false, DeclaredAccessibility: Accessibility.Public } field
            => new Candidate(field, field.Type, !field.IsReadOnly, field.IsRequired, field.IsRequired),
        _ => null,
    };

    private static bool IsCopyConstructor(INamedTypeSymbol type, IMethodSymbol constructor) =>
        constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);
}
