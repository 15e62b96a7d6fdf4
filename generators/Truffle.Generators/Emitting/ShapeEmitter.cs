using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Writes the code that reads, writes and compares one value of a <see cref="TypeShape"/>, recursively for
/// collections. Temporaries get names unique within the file, so nested shapes never collide.
/// </summary>
internal sealed class ShapeEmitter
{
    private int _next;

    /// <summary>The value a member takes when its key is missing (or nil for a non-nullable member).</summary>
    public static string MissingValue(TypeShape shape)
    {
        if (shape.IsNullable)
        {
            return "null";
        }

        TypeShape? item = shape.Element;
        return shape.Kind switch
        {
            ShapeKind.String => "\"\"",
            ShapeKind.ByteArray => "global::System.Array.Empty<byte>()",
            ShapeKind.Array or ShapeKind.ReadOnlyList => $"global::System.Array.Empty<{item!.TypeName}>()",
            ShapeKind.List or ShapeKind.Dictionary => $"new {shape.ConstructName}()",
            ShapeKind.ReadOnlyDictionary => $"new global::System.Collections.Generic.Dictionary<string, {item!.TypeName}>()",
            ShapeKind.ImmutableArray => $"{shape.ConstructName}.Empty",
            ShapeKind.Annotated when !shape.IsValueType => "default!",
            _ => "default",
        };
    }

    public void Write(SourceWriter w, TypeShape shape, string value)
    {
        if (WriteStatement(shape, value) is { } statement)
        {
            w.WriteLine(statement);
            return;
        }

        switch (shape.Kind)
        {
            case ShapeKind.Nullable:
                string inner = Next("n");
                w.OpenBlock($"if ({value} is {{ }} {inner})");
                Write(w, shape.Element!, inner);
                CloseWithNilElse(w);
                break;
            case ShapeKind.ImmutableArray:
                string items = Next("c");
                string item = Next("e");
                w.WriteLine($$"""
                    if ({{value}}.IsDefault)
                    {
                        writer.WriteNil();
                    }
                    else
                    {
                        var {{items}} = {{value}};
                        writer.WriteArrayHeader({{items}}.Length);
                        foreach (var {{item}} in {{items}})
                        {
                    """);
                w.Indentation += 2;
                Write(w, shape.Element!, item);
                w.CloseBlock();
                w.CloseBlock();
                break;
            case ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary:
                string map = Next("d");
                string pair = Next("kv");
                w.WriteLine($$"""
                    if ({{value}} is { } {{map}})
                    {
                        writer.WriteMapHeader({{map}}.Count);
                        foreach (var {{pair}} in {{map}})
                        {
                            writer.Write({{pair}}.Key);
                    """);
                w.Indentation += 2;
                Write(w, shape.Element!, $"{pair}.Value");
                w.CloseBlock();
                CloseWithNilElse(w);
                break;
            default:
                string count = shape.Kind == ShapeKind.Array ? "Length" : "Count";
                string list = Next("c");
                string index = Next("i");
                w.WriteLine($$"""
                    if ({{value}} is { } {{list}})
                    {
                        writer.WriteArrayHeader({{list}}.{{count}});
                        for (int {{index}} = 0; {{index}} < {{list}}.{{count}}; {{index}}++)
                        {
                    """);
                w.Indentation += 2;
                Write(w, shape.Element!, $"{list}[{index}]");
                w.CloseBlock();
                CloseWithNilElse(w);
                break;
        }
    }

    public void Read(SourceWriter w, TypeShape shape, string target)
    {
        if (ReadExpression(shape) is { } expression)
        {
            w.WriteLine($"{target} = {expression};");
            return;
        }

        w.WriteLine($$"""
            if (reader.TryReadNil())
            {
                {{target}} = {{(shape.Kind == ShapeKind.ImmutableArray || !shape.IsNullable ? MissingValue(shape) : "null")}};
            }
            else
            {
            """);
        w.Indentation++;
        if (shape.Kind == ShapeKind.Nullable)
        {
            string inner = Next("v");
            w.WriteLine($"{shape.Element!.TypeName} {inner};");
            Read(w, shape.Element!, inner);
            w.WriteLine($"{target} = {inner};");
        }
        else
        {
            ReadContainer(w, shape, target);
        }

        w.CloseBlock();
    }

    /// <summary>An expression that is true when <paramref name="left"/> and <paramref name="right"/> hold equal values.</summary>
    public string Equal(TypeShape shape, string left, string right) => shape.Kind switch
    {
        ShapeKind.String => $"string.Equals({left}, {right})",
        ShapeKind.DateTimeOffset => $"{left}.EqualsExact({right})",
        ShapeKind.ByteArray => $"{KnownNames.ValueEquality}.Bytes({left}, {right})",
        ShapeKind.ReadOnlyMemoryOfByte or ShapeKind.MemoryOfByte => $"global::System.MemoryExtensions.SequenceEqual({left}.Span, {right}.Span)",
        ShapeKind.Nullable => NullableEqual(shape.Element!, left, right),
        ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList => ItemsEqual("Lists", shape.Element!, left, right),
        ShapeKind.ImmutableArray => ItemsEqual("ImmutableArrays", shape.Element!, left, right),
        ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary => ItemsEqual("Dictionaries", shape.Element!, left, right),
        ShapeKind.Annotated when shape.IsLocal => $"{shape.ConstructName}.{KnownNames.FormatterClass}.ValueEquals({left}, {right})",
        ShapeKind.Annotated => $"{KnownNames.ValueEquality}.Annotated<{shape.ConstructName}>({left}, {right})",
        _ => $"global::System.Collections.Generic.EqualityComparer<{shape.TypeName}>.Default.Equals({left}, {right})",
    };

    private string NullableEqual(TypeShape inner, string left, string right)
    {
        string x = Next("x");
        string y = Next("y");
        return $"({left} is {{ }} {x} ? {right} is {{ }} {y} && {Equal(inner, x, y)} : {right} is null)";
    }

    /// <summary>Items compared one by one with the item type's own equality (a <c>ValueEquality</c> helper).</summary>
    private string ItemsEqual(string helper, TypeShape item, string left, string right) =>
        $"{KnownNames.ValueEquality}.{helper}<{item.TypeName}>({left}, {right}, {ItemComparer(item)})";

    private string ItemComparer(TypeShape item)
    {
        string x = Next("a");
        string y = Next("b");
        return $"static ({x}, {y}) => {Equal(item, x, y)}";
    }

    private void ReadContainer(SourceWriter w, TypeShape shape, string target)
    {
        TypeShape item = shape.Element!;
        string count = Next("n");
        string index = Next("i");
        string result = Next("r");
        bool isMap = shape.Kind is ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary;
        w.WriteLine($$"""
            options.Security.DepthStep(ref reader);
            int {{count}} = reader.{{(isMap ? "ReadMapHeader" : "ReadArrayHeader")}}();
            """);
        string loop = $"for (int {index} = 0; {index} < {count}; {index}++)";
        switch (shape.Kind)
        {
            case ShapeKind.Array or ShapeKind.ReadOnlyList or ShapeKind.ImmutableArray:
                w.WriteLine($"var {result} = {KnownNames.WireFormat}.NewArray<{item.TypeName}>({count});");
                w.OpenBlock(loop);
                Read(w, item, $"{result}[{index}]");
                w.CloseBlock();
                break;
            default:
                // A list or a dictionary: each item is read into a local, then added (under its key for a map).
                string? key = isMap ? Next("k") : null;
                string element = Next("e");
                string collection = isMap
                    ? $"global::System.Collections.Generic.Dictionary<string, {item.TypeName}>"
                    : $"global::System.Collections.Generic.List<{item.TypeName}>";
                w.WriteLine($"var {result} = new {collection}({count});");
                w.OpenBlock(loop);
                if (key is not null)
                {
                    w.WriteLine($"string {key} = reader.ReadString() ?? throw new {KnownNames.SerializationException}(\"A map key cannot be nil.\");");
                }

                w.WriteLine($"{item.TypeName} {element};");
                Read(w, item, element);
                w.WriteLine(key is null ? $"{result}.Add({element});" : $"{result}[{key}] = {element};");
                w.CloseBlock();
                break;
        }

        // An ImmutableArray wraps the array it was read into, without a builder or a copy.
        w.WriteLine($$"""
            reader.Depth--;
            {{target}} = {{(shape.Kind == ShapeKind.ImmutableArray ? $"global::System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray({result})" : result)}};
            """);
    }

    /// <summary>Closes the block that wrote a value and writes nil in its <c>else</c>.</summary>
    private static void CloseWithNilElse(SourceWriter w)
    {
        w.Indentation--;
        w.WriteLine("""
            }
            else
            {
                writer.WriteNil();
            }
            """);
    }

    /// <summary>The one statement that writes a value of a shape with no elements to recurse into; null for the others.</summary>
    private static string? WriteStatement(TypeShape shape, string value) => shape.Kind switch
    {
        ShapeKind.Nullable or ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList or ShapeKind.ImmutableArray
            or ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary => null,
        ShapeKind.Decimal => $"{KnownNames.WireFormat}.WriteDecimal(ref writer, {value});",
        ShapeKind.DateTimeOffset => $"{KnownNames.WireFormat}.WriteDateTimeOffset(ref writer, {value});",
        ShapeKind.Guid => $"{KnownNames.WireFormat}.WriteGuid(ref writer, {value});",
        ShapeKind.TimeSpan => $"writer.Write({value}.Ticks);",
        ShapeKind.Enum => $"writer.Write(({shape.Element!.TypeName}){value});",
        ShapeKind.ByteArray => $"{KnownNames.WireFormat}.WriteBytes(ref writer, {value});",
        ShapeKind.ReadOnlyMemoryOfByte or ShapeKind.MemoryOfByte => $"writer.Write({value}.Span);",
        ShapeKind.Annotated => $"{KnownNames.FormatterOf(shape)}.Serialize(ref writer, {value}, options);",

        // Booleans, integers, floats, char, string and DateTime have native MessagePack writers.
        _ => $"writer.Write({value});",
    };

    /// <summary>The expression that reads a value of a shape that has no nil block of its own; null for the others.</summary>
    private static string? ReadExpression(TypeShape shape)
    {
        string orMissing = shape.IsNullable ? string.Empty : " ?? " + MissingValue(shape);
        return shape.Kind switch
        {
            ShapeKind.Nullable or ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList or ShapeKind.ImmutableArray
                or ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary => null,
            ShapeKind.String => "reader.ReadString()" + orMissing,
            ShapeKind.ByteArray => $"{KnownNames.WireFormat}.ReadBytes(ref reader)" + orMissing,
            ShapeKind.ReadOnlyMemoryOfByte or ShapeKind.MemoryOfByte => $"{KnownNames.WireFormat}.ReadBytes(ref reader) ?? global::System.Array.Empty<byte>()",
            ShapeKind.Annotated => $"{KnownNames.FormatterOf(shape)}.Deserialize(ref reader, options){(shape.IsValueType || shape.IsNullable ? string.Empty : "!")}",
            ShapeKind.Decimal => $"{KnownNames.WireFormat}.ReadDecimal(ref reader)",
            ShapeKind.DateTimeOffset => $"{KnownNames.WireFormat}.ReadDateTimeOffset(ref reader)",
            ShapeKind.Guid => $"{KnownNames.WireFormat}.ReadGuid(ref reader)",
            ShapeKind.TimeSpan => "new global::System.TimeSpan(reader.ReadInt64())",
            ShapeKind.Enum => $"({shape.ConstructName})reader.{PrimitiveReader(shape.Element!.Kind)}()",
            _ => $"reader.{PrimitiveReader(shape.Kind)}()",
        };
    }

    private static string PrimitiveReader(ShapeKind kind) => kind switch
    {
        ShapeKind.Boolean => "ReadBoolean",
        ShapeKind.Byte => "ReadByte",
        ShapeKind.SByte => "ReadSByte",
        ShapeKind.Int16 => "ReadInt16",
        ShapeKind.UInt16 => "ReadUInt16",
        ShapeKind.Int32 => "ReadInt32",
        ShapeKind.UInt32 => "ReadUInt32",
        ShapeKind.Int64 => "ReadInt64",
        ShapeKind.UInt64 => "ReadUInt64",
        ShapeKind.Single => "ReadSingle",
        ShapeKind.Double => "ReadDouble",
        ShapeKind.Char => "ReadChar",
        ShapeKind.DateTime => "ReadDateTime",
        _ => throw new System.ArgumentOutOfRangeException(nameof(kind), kind, "Not a primitive."),
    };

    private string Next(string prefix) => $"__{prefix}{_next++}";
}
