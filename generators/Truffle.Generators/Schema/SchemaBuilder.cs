using System.Collections.Generic;
using System.Linq;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;
using Truffle.Generators.Parsing;

namespace Truffle.Generators.Schema;

/// <summary>Reduces the type models of an assembly to its <see cref="SchemaModel"/>.</summary>
internal static class SchemaBuilder
{
    public static SchemaModel Build(IEnumerable<TypeModel> models) =>
        new(models
            .SelectMany(Entries)
            .OrderBy(t => t.Wire, System.StringComparer.Ordinal)
            .ToEquatableArray());

    /// <summary>The entry of a message and that of a slice; a type that is both has both.</summary>
    public static IEnumerable<SchemaType> Entries(TypeModel model)
    {
        EquatableArray<SchemaMember> members = model.Members.Select(Member).ToEquatableArray();
        string name = model.FullyQualifiedName.Replace("global::", string.Empty);
        if (model.Message is { } message)
        {
            string? reply = message.Reply is { } shape ? WireTypes.Of(shape) + (shape.IsNullable ? "?" : string.Empty) : null;
            yield return new SchemaType(WireNames.MessageKey(message.WireNamespace, message.WireType), name, reply, members);
        }

        if (model.StoreId is { } store)
        {
            yield return new SchemaType(WireNames.StoreKey(store), name, null, members);
        }
    }

    private static SchemaMember Member(MemberModel member) =>
        new(member.Key, member.Name, WireTypes.Of(member.Shape), member.Shape.IsNullable, member.IsRequired, Readable(member.DefaultValue));

    /// <summary>The default as a person writes it: <c>(string)("calm")</c> is <c>"calm"</c>, <c>default!</c> is <c>null</c>.</summary>
    private static string? Readable(string? defaultValue)
    {
        if (defaultValue == "default!")
        {
            return "null";
        }

        int split = defaultValue?.IndexOf(")(", System.StringComparison.Ordinal) ?? -1;
        return split > 0 && defaultValue![0] == '(' && defaultValue[defaultValue.Length - 1] == ')'
            ? defaultValue.Substring(split + 2, defaultValue.Length - split - 3)
            : defaultValue;
    }
}
