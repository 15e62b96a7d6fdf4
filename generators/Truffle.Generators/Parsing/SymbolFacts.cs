using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Parsing;

/// <summary>What the parser needs to know about a type symbol: whether it can be generated, and how to re-declare it.</summary>
internal static class SymbolFacts
{
    internal static string? UnsupportedReason(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.TypeParameters.Length > 0)
            {
                return t.Equals(type, SymbolEqualityComparer.Default) ? "generic types are not supported" : $"it is nested in the generic type '{t.Name}'";
            }

            if (t.IsFileLocal)
            {
                return "file-local types cannot be reached by the generated resolver and API";
            }

            if (t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return "it and every type around it must be public or internal";
            }
        }

        if (type.IsStatic)
        {
            return "it is static";
        }

        if (type.IsAbstract)
        {
            return "it is abstract";
        }

        return type.IsRefLikeType ? "ref structs cannot be serialized" : null;
    }

    internal static bool HasAnnotatedBase(INamedTypeSymbol type, KnownTypeSymbols known)
    {
        for (INamedTypeSymbol? t = type.BaseType; t is not null; t = t.BaseType)
        {
            // A base from another assembly has an internal formatter this type cannot see, so there is nothing to hide.
            if (known.IsAnnotated(t) && SymbolEqualityComparer.Default.Equals(t.ContainingAssembly, type.ContainingAssembly))
            {
                return true;
            }
        }

        return false;
    }

    internal static EquatableArray<ContainingType> ContainingTypes(INamedTypeSymbol type)
    {
        var list = new List<ContainingType>();
        for (INamedTypeSymbol? t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            list.Insert(0, new ContainingType(Keyword(t), t.Name));
        }

        return list.ToEquatableArray();
    }

    internal static string Keyword(INamedTypeSymbol type) => (type.IsRecord, type.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record",
        (false, TypeKind.Struct) => "struct",
        (false, TypeKind.Interface) => "interface",
        _ => "class",
    };

    internal static string HintName(INamedTypeSymbol type)
    {
        string name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty).Replace("@", string.Empty);
        return name + ".g.cs";
    }
}
