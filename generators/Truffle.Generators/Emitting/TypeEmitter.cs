using System.Collections.Generic;
using System.Linq;
using System.Text;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Emits one annotated type's partial declaration: the Truffle interfaces it implements and its nested formatter
/// (serialize, deserialize, deep equality, and for slices diff, partial write and apply).
/// </summary>
internal static class TypeEmitter
{
    public static string Emit(TypeModel model)
    {
        var w = new SourceWriter();
        var shapes = new ShapeEmitter();
        w.WriteLine(KnownNames.FileHeader);
        w.WriteLine();
        if (model.Namespace is not null)
        {
            w.WriteLine($"namespace {model.Namespace};");
            w.WriteLine();
        }

        foreach (ContainingType container in model.ContainingTypes)
        {
            w.OpenBlock($"partial {container.Keyword} {CSharpNames.Escape(container.Name)}");
        }

        w.OpenBlock($"partial {model.Keyword} {CSharpNames.Escape(model.Name)} : {string.Join(", ", Interfaces(model))}");
        WriteInterfaceMembers(w, model);
        w.WriteLine();
        FormatterEmitter.Write(w, shapes, model);
        w.CloseBlock();

        foreach (ContainingType _ in model.ContainingTypes)
        {
            w.CloseBlock();
        }

        return w.ToString();
    }

    private static IEnumerable<string> Interfaces(TypeModel model)
    {
        string self = model.FullyQualifiedName;
        if (model.Message is { } message)
        {
            yield return $"global::Truffle.ITruffleMessage<{self}>";
            yield return $"global::Truffle.{NamespaceApiEmitter.TypeName(message.WireNamespace)}.IMessage";
        }

        if (model.StoreId is not null)
        {
            yield return $"global::Truffle.ISyncedSlice<{self}>";
        }

        if (model.Message is null && model.StoreId is null)
        {
            yield return $"global::Truffle.ITruffleSerializable<{self}>";
        }
    }

    private static void WriteInterfaceMembers(SourceWriter w, TypeModel model)
    {
        string self = model.FullyQualifiedName;
        string nullableSelf = model.IsValueType ? self : self + "?";
        string serializable = $"global::Truffle.ITruffleSerializable<{self}>";
        string formatter = KnownNames.FormatterClass;
        if (!model.IsValueType)
        {
            // The formatter also accepts null (IMessagePackFormatter<T?>, as MessagePack v3 asks); the contract is T.
            w.WriteLine("#pragma warning disable CS8619");
        }

        w.WriteLine($"static {KnownNames.FormatterInterface}<{self}> {serializable}.Formatter => {formatter}.Instance;");
        if (!model.IsValueType)
        {
            w.WriteLine("#pragma warning restore CS8619");
        }

        w.WriteLine();
        w.WriteLine($"static bool {serializable}.ValueEquals({nullableSelf} left, {nullableSelf} right) => {formatter}.ValueEquals(left, right);");
        if (model.Message is { } message)
        {
            string contract = $"global::Truffle.ITruffleMessage<{self}>";
            w.WriteLine();
            w.WriteLine($"static string {contract}.WireNamespace => {Literal(message.WireNamespace)};");
            w.WriteLine();
            w.WriteLine($"static string {contract}.WireType => {Literal(message.WireType)};");
        }

        if (model.StoreId is { } storeId)
        {
            string contract = $"global::Truffle.ISyncedSlice<{self}>";
            w.WriteLine();
            w.WriteLine($"static string {contract}.StoreId => {Literal(storeId)};");
            w.WriteLine();
            w.WriteLine($"static global::System.Collections.Immutable.ImmutableArray<string> {contract}.MemberNames => {formatter}.MemberNames;");
            w.WriteLine();
            w.WriteLine($"static {KnownNames.MemberMask} {contract}.Diff({self} previous, {self} current) => {formatter}.Diff(previous, current);");
            w.WriteLine();
            w.WriteLine($"static void {contract}.WriteMembers(ref {KnownNames.Writer} writer, {self} value, {KnownNames.MemberMask} members, {KnownNames.Options} options) => {formatter}.WriteMembers(ref writer, value, members, options);");
            w.WriteLine();
            w.WriteLine($"static {self} {contract}.Apply({self} previous, ref {KnownNames.Reader} reader, {KnownNames.Options} options, out {KnownNames.MemberMask} applied) => {formatter}.Apply(previous, ref reader, options, out applied);");
        }
    }

    /// <summary>A C# string literal.</summary>
    public static string Literal(string value) =>
        Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>
    /// The MessagePack encoding of a key (a str header and the UTF-8 bytes), as a byte list for a
    /// <c>ReadOnlySpan&lt;byte&gt;</c> property the compiler maps straight to the assembly's data.
    /// </summary>
    public static string EncodedKey(string key)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(key);
        var bytes = new List<byte>(utf8.Length + 3);
        if (utf8.Length <= 31)
        {
            bytes.Add((byte)(0xA0 | utf8.Length));
        }
        else if (utf8.Length <= byte.MaxValue)
        {
            bytes.Add(0xD9);
            bytes.Add((byte)utf8.Length);
        }
        else
        {
            bytes.Add(0xDA);
            bytes.Add((byte)(utf8.Length >> 8));
            bytes.Add((byte)utf8.Length);
        }

        bytes.AddRange(utf8);
        return string.Join(", ", bytes.Select(b => "0x" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The UTF-8 bytes of a key as a <c>u8</c> literal, for matching keys read from the wire.</summary>
    public static string Utf8Literal(string key) => Literal(key) + "u8";
}
