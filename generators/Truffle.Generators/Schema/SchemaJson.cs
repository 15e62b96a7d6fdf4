using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Truffle.Generators.Helpers;

namespace Truffle.Generators.Schema;

/// <summary>
/// Writes and reads <c>truffle.schema.json</c>: one fixed layout, two-space indents, <c>\n</c> line ends and ordinal
/// order, so the committed file changes only where the schema does.
/// </summary>
internal static class SchemaJson
{
    public static string Write(SchemaModel schema)
    {
        var json = new StringBuilder();
        json.Append("{\n  \"version\": ").Append(SchemaModel.FormatVersion.ToString(CultureInfo.InvariantCulture)).Append(",\n  \"types\": [");
        for (int t = 0; t < schema.Types.Count; t++)
        {
            SchemaType type = schema.Types[t];
            json.Append(t == 0 ? "\n" : ",\n");
            json.Append("    {\n      \"wire\": ").Append(Quote(type.Wire));
            json.Append(",\n      \"csharp\": ").Append(Quote(type.CSharpName));
            if (type.Reply is not null)
            {
                json.Append(",\n      \"reply\": ").Append(Quote(type.Reply));
            }

            json.Append(",\n      \"members\": [");
            for (int m = 0; m < type.Members.Count; m++)
            {
                SchemaMember member = type.Members[m];
                json.Append(m == 0 ? "\n" : ",\n");
                json.Append("        { \"key\": ").Append(Quote(member.Key))
                    .Append(", \"name\": ").Append(Quote(member.Name))
                    .Append(", \"type\": ").Append(Quote(member.WireType))
                    .Append(", \"nullable\": ").Append(member.Nullable ? "true" : "false")
                    .Append(", \"required\": ").Append(member.Required ? "true" : "false");
                if (member.Default is not null)
                {
                    json.Append(", \"default\": ").Append(Quote(member.Default));
                }

                if (member.Enum is { } e)
                {
                    json.Append(", \"enum\": ").Append(Quote(e.Name)).Append(", \"values\": {");
                    for (int v = 0; v < e.Values.Count; v++)
                    {
                        json.Append(v == 0 ? " " : ", ").Append(Quote(e.Values[v].Name)).Append(": ").Append(e.Values[v].Number);
                    }

                    json.Append(e.Values.Count == 0 ? "}" : " }");
                }

                json.Append(" }");
            }

            json.Append(type.Members.Count == 0 ? "]\n    }" : "\n      ]\n    }");
        }

        json.Append(schema.Types.Count == 0 ? "]\n}\n" : "\n  ]\n}\n");
        return json.ToString();
    }

    /// <summary>Reads a lock file.</summary>
    /// <exception cref="FormatException">The text is not a lock file this generator understands; the message says where.</exception>
    public static SchemaModel Read(string text)
    {
        var parser = new JsonParser(text);
        object? root = parser.ParseDocument();
        Dictionary<string, object?> file = Object(root, "the file");
        if (Number(file, "version") != SchemaModel.FormatVersion)
        {
            throw new FormatException($"\"version\" is not {SchemaModel.FormatVersion}; update Truffle, or write the lock again");
        }

        return new SchemaModel(Array(file, "types").Select(ReadType).ToEquatableArray());
    }

    private static SchemaType ReadType(object? value)
    {
        Dictionary<string, object?> type = Object(value, "a type");
        return new SchemaType(
            String(type, "wire")!,
            String(type, "csharp") ?? string.Empty,
            String(type, "reply", optional: true),
            Array(type, "members").Select(ReadMember).ToEquatableArray());
    }

    private static SchemaMember ReadMember(object? value)
    {
        Dictionary<string, object?> member = Object(value, "a member");
        return new SchemaMember(
            String(member, "key")!,
            String(member, "name") ?? string.Empty,
            String(member, "type")!,
            Bool(member, "nullable"),
            Bool(member, "required"),
            String(member, "default", optional: true),
            ReadEnum(member));
    }

    /// <summary>The optional <c>"enum"</c> and <c>"values"</c> of a member; locks written before them have neither.</summary>
    private static SchemaEnum? ReadEnum(Dictionary<string, object?> member)
    {
        if (String(member, "enum", optional: true) is not { } name)
        {
            return null;
        }

        Dictionary<string, object?> values = member.TryGetValue("values", out object? v) && v is Dictionary<string, object?> map
            ? map
            : throw new FormatException($"\"values\" of the enum {name} is missing or not an object");
        return SchemaBuilder.Enum(name, values.Select(pair => pair.Value is decimal number && decimal.Truncate(number) == number
            ? new Model.EnumValue(pair.Key, number.ToString(CultureInfo.InvariantCulture))
            : throw new FormatException($"the value {pair.Key} of the enum {name} is not an integer")));
    }

    private static Dictionary<string, object?> Object(object? value, string what) =>
        value as Dictionary<string, object?> ?? throw new FormatException($"{what} is not an object");

    private static List<object?> Array(Dictionary<string, object?> obj, string key) =>
        obj.TryGetValue(key, out object? value) && value is List<object?> list ? list : throw new FormatException($"\"{key}\" is missing or not an array");

    private static string? String(Dictionary<string, object?> obj, string key, bool optional = false) =>
        obj.TryGetValue(key, out object? value) && value is string s ? s
        : optional && (!obj.ContainsKey(key) || value is null) ? null
        : throw new FormatException($"\"{key}\" is missing or not a string");

    private static bool Bool(Dictionary<string, object?> obj, string key) =>
        obj.TryGetValue(key, out object? value) && value is bool b ? b : throw new FormatException($"\"{key}\" is missing or not true or false");

    private static decimal Number(Dictionary<string, object?> obj, string key) =>
        obj.TryGetValue(key, out object? value) && value is decimal d ? d : throw new FormatException($"\"{key}\" is missing or not a number");

    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        quoted.Append(c);
                    }

                    break;
            }
        }

        return quoted.Append('"').ToString();
    }
}
