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
        new(member.Key, member.Name, WireTypes.Of(member.Shape), member.Shape.IsNullable, member.IsRequired, Readable(member.DefaultValue), EnumOf(member.Shape));

    /// <summary>The enum a member's type is or holds (<c>Mood</c>, <c>Mood?</c>, <c>List&lt;Mood&gt;</c>, a map of them).</summary>
    private static SchemaEnum? EnumOf(TypeShape shape)
    {
        TypeShape? current = shape;
        while (current is not null && current.Kind != ShapeKind.Enum && current.Kind != ShapeKind.Annotated)
        {
            current = current.Element;
        }

        return current is { Kind: ShapeKind.Enum } e ? Enum(e.ConstructName.Replace("global::", string.Empty), e.EnumValues) : null;
    }

    /// <summary>An enum with its values in the lock's order: by number, then by name.</summary>
    public static SchemaEnum Enum(string name, IEnumerable<EnumValue> values) =>
        new(name, values
            .OrderBy(v => decimal.Parse(v.Number, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture))
            .ThenBy(v => v.Name, System.StringComparer.Ordinal)
            .ToEquatableArray());

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
