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
        switch (shape.Kind)
        {
            case ShapeKind.Decimal:
                w.WriteLine($"{KnownNames.WireFormat}.WriteDecimal(ref writer, {value});");
                break;
            case ShapeKind.DateTimeOffset:
                w.WriteLine($"{KnownNames.WireFormat}.WriteDateTimeOffset(ref writer, {value});");
                break;
            case ShapeKind.Guid:
                w.WriteLine($"{KnownNames.WireFormat}.WriteGuid(ref writer, {value});");
                break;
            case ShapeKind.TimeSpan:
                w.WriteLine($"writer.Write({value}.Ticks);");
                break;
            case ShapeKind.Enum:
                w.WriteLine($"writer.Write(({shape.Element!.TypeName}){value});");
                break;
            case ShapeKind.ByteArray:
                w.WriteLine($"{KnownNames.WireFormat}.WriteBytes(ref writer, {value});");
                break;
            case ShapeKind.ReadOnlyMemoryOfByte or ShapeKind.MemoryOfByte:
                w.WriteLine($"writer.Write({value}.Span);");
                break;
            case ShapeKind.Nullable:
                string inner = Next("n");
                w.OpenBlock($"if ({value} is {{ }} {inner})");
                Write(w, shape.Element!, inner);
                w.CloseBlock();
                WriteNilElse(w);
                break;
            case ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList:
                WriteSequence(w, shape, value, shape.Kind == ShapeKind.Array ? "Length" : "Count");
                break;
            case ShapeKind.ImmutableArray:
                w.OpenBlock($"if ({value}.IsDefault)");
                w.WriteLine("writer.WriteNil();");
                w.CloseBlock();
                w.OpenBlock("else");
                string items = Next("c");
                w.WriteLine($"var {items} = {value};");
                w.WriteLine($"writer.WriteArrayHeader({items}.Length);");
                string item = Next("e");
                w.OpenBlock($"foreach (var {item} in {items})");
                Write(w, shape.Element!, item);
                w.CloseBlock();
                w.CloseBlock();
                break;
            case ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary:
                string map = Next("d");
                w.OpenBlock($"if ({value} is {{ }} {map})");
                w.WriteLine($"writer.WriteMapHeader({map}.Count);");
                string pair = Next("kv");
                w.OpenBlock($"foreach (var {pair} in {map})");
                w.WriteLine($"writer.Write({pair}.Key);");
                Write(w, shape.Element!, $"{pair}.Value");
                w.CloseBlock();
                w.CloseBlock();
                WriteNilElse(w);
                break;
            case ShapeKind.Annotated:
                w.WriteLine($"{KnownNames.FormatterOf(shape)}.Serialize(ref writer, {value}, options);");
                break;
            default:
                // Booleans, integers, floats, char, string and DateTime have native MessagePack writers.
                w.WriteLine($"writer.Write({value});");
                break;
        }
    }

    public void Read(SourceWriter w, TypeShape shape, string target)
    {
        string nil = shape.IsNullable ? "null" : MissingValue(shape);
        switch (shape.Kind)
        {
            case ShapeKind.String:
                w.WriteLine($"{target} = reader.ReadString(){(nil == "null" ? string.Empty : " ?? " + nil)};");
                return;
            case ShapeKind.ByteArray:
                w.WriteLine($"{target} = {KnownNames.WireFormat}.ReadBytes(ref reader){(nil == "null" ? string.Empty : " ?? " + nil)};");
                return;
            case ShapeKind.ReadOnlyMemoryOfByte or ShapeKind.MemoryOfByte:
                w.WriteLine($"{target} = {KnownNames.WireFormat}.ReadBytes(ref reader) ?? global::System.Array.Empty<byte>();");
                return;
            case ShapeKind.Annotated:
                w.WriteLine($"{target} = {KnownNames.FormatterOf(shape)}.Deserialize(ref reader, options){(shape.IsValueType || shape.IsNullable ? string.Empty : "!")};");
                return;
            case ShapeKind.Decimal:
                w.WriteLine($"{target} = {KnownNames.WireFormat}.ReadDecimal(ref reader);");
                return;
            case ShapeKind.DateTimeOffset:
                w.WriteLine($"{target} = {KnownNames.WireFormat}.ReadDateTimeOffset(ref reader);");
                return;
            case ShapeKind.Guid:
                w.WriteLine($"{target} = {KnownNames.WireFormat}.ReadGuid(ref reader);");
                return;
            case ShapeKind.TimeSpan:
                w.WriteLine($"{target} = new global::System.TimeSpan(reader.ReadInt64());");
                return;
            case ShapeKind.Enum:
                w.WriteLine($"{target} = ({shape.ConstructName})reader.{PrimitiveReader(shape.Element!.Kind)}();");
                return;
            case ShapeKind.Nullable:
            case ShapeKind.ImmutableArray:
            case ShapeKind.Array or ShapeKind.ReadOnlyList or ShapeKind.List:
            case ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary:
                break;
            default:
                w.WriteLine($"{target} = reader.{PrimitiveReader(shape.Kind)}();");
                return;
        }

        w.OpenBlock("if (reader.TryReadNil())");
        w.WriteLine($"{target} = {(shape.Kind == ShapeKind.ImmutableArray ? MissingValue(shape) : nil)};");
        w.CloseBlock();
        w.OpenBlock("else");
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
    public string Equal(TypeShape shape, string left, string right)
    {
        TypeShape? item = shape.Element;
        switch (shape.Kind)
        {
            case ShapeKind.String:
                return $"string.Equals({left}, {right})";
            case ShapeKind.DateTimeOffset:
                return $"{left}.EqualsExact({right})";
            case ShapeKind.ByteArray:
                return $"{KnownNames.ValueEquality}.Bytes({left}, {right})";
            case ShapeKind.ReadOnlyMemoryOfByte or ShapeKind.MemoryOfByte:
                return $"global::System.MemoryExtensions.SequenceEqual({left}.Span, {right}.Span)";
            case ShapeKind.Nullable:
                string x = Next("x");
                string y = Next("y");
                return $"({left} is {{ }} {x} ? {right} is {{ }} {y} && {Equal(item!, x, y)} : {right} is null)";
            case ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList:
                return $"{KnownNames.ValueEquality}.Lists<{item!.TypeName}>({left}, {right}, {ItemComparer(item!)})";
            case ShapeKind.ImmutableArray:
                return $"{KnownNames.ValueEquality}.ImmutableArrays<{item!.TypeName}>({left}, {right}, {ItemComparer(item!)})";
            case ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary:
                return $"{KnownNames.ValueEquality}.Dictionaries<{item!.TypeName}>({left}, {right}, {ItemComparer(item!)})";
            case ShapeKind.Annotated:
                return shape.IsLocal
                    ? $"{shape.ConstructName}.{KnownNames.FormatterClass}.ValueEquals({left}, {right})"
                    : $"{KnownNames.ValueEquality}.Annotated<{shape.ConstructName}>({left}, {right})";
            default:
                return $"global::System.Collections.Generic.EqualityComparer<{shape.TypeName}>.Default.Equals({left}, {right})";
        }
    }

    private string ItemComparer(TypeShape item)
    {
        string x = Next("a");
        string y = Next("b");
        return $"static ({x}, {y}) => {Equal(item, x, y)}";
    }

    private void WriteSequence(SourceWriter w, TypeShape shape, string value, string countProperty)
    {
        string items = Next("c");
        w.OpenBlock($"if ({value} is {{ }} {items})");
        w.WriteLine($"writer.WriteArrayHeader({items}.{countProperty});");
        string index = Next("i");
        w.OpenBlock($"for (int {index} = 0; {index} < {items}.{countProperty}; {index}++)");
        Write(w, shape.Element!, $"{items}[{index}]");
        w.CloseBlock();
        w.CloseBlock();
        WriteNilElse(w);
    }

    private void ReadContainer(SourceWriter w, TypeShape shape, string target)
    {
        TypeShape item = shape.Element!;
        string count = Next("n");
        string index = Next("i");
        string result = Next("r");
        w.WriteLine("options.Security.DepthStep(ref reader);");
        bool isMap = shape.Kind is ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary;
        w.WriteLine($"int {count} = reader.{(isMap ? "ReadMapHeader" : "ReadArrayHeader")}();");
        switch (shape.Kind)
        {
            case ShapeKind.Array or ShapeKind.ReadOnlyList or ShapeKind.ImmutableArray:
                w.WriteLine($"var {result} = {KnownNames.WireFormat}.NewArray<{item.TypeName}>({count});");
                w.OpenBlock($"for (int {index} = 0; {index} < {count}; {index}++)");
                Read(w, item, $"{result}[{index}]");
                w.CloseBlock();
                break;
            case ShapeKind.List:
                w.WriteLine($"var {result} = new global::System.Collections.Generic.List<{item.TypeName}>({count});");
                w.OpenBlock($"for (int {index} = 0; {index} < {count}; {index}++)");
                string element = Next("e");
                w.WriteLine($"{item.TypeName} {element};");
                Read(w, item, element);
                w.WriteLine($"{result}.Add({element});");
                w.CloseBlock();
                break;
            default:
                w.WriteLine($"var {result} = new global::System.Collections.Generic.Dictionary<string, {item.TypeName}>({count});");
                w.OpenBlock($"for (int {index} = 0; {index} < {count}; {index}++)");
                string key = Next("k");
                string entry = Next("e");
                w.WriteLine($"string {key} = reader.ReadString() ?? throw new {KnownNames.SerializationException}(\"A map key cannot be nil.\");");
                w.WriteLine($"{item.TypeName} {entry};");
                Read(w, item, entry);
                w.WriteLine($"{result}[{key}] = {entry};");
                w.CloseBlock();
                break;
        }

        w.WriteLine("reader.Depth--;");
        // An ImmutableArray wraps the array it was read into, without a builder or a copy.
        w.WriteLine(shape.Kind == ShapeKind.ImmutableArray
            ? $"{target} = global::System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray({result});"
            : $"{target} = {result};");
    }

    private static void WriteNilElse(SourceWriter w)
    {
        w.OpenBlock("else");
        w.WriteLine("writer.WriteNil();");
        w.CloseBlock();
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
