using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Truffle.Generators.Parsing;

/// <summary>Reads the wire names out of a <c>[TruffleMessage]</c> or <c>[SyncedSlice]</c> application.</summary>
internal static class WireAttributes
{
    /// <summary>The namespace of <c>[TruffleMessage(ns)]</c> or the store id of <c>[SyncedSlice(id)]</c>.</summary>
    public static string? Name(AttributeData attribute) =>
        attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;

    /// <summary>The <c>Type = "…"</c> of a <c>[TruffleMessage]</c>, when it names one.</summary>
    public static string? ExplicitType(AttributeData attribute)
    {
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "Type")
            {
                return named.Value.Value as string;
            }
        }

        return null;
    }
}
