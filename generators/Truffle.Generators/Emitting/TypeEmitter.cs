using System.Collections.Generic;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Emits one annotated type's partial declaration: the Truffle interfaces it implements and its nested formatter
/// (serialize, deserialize, deep equality, and for slices diff, partial write and apply). One instance writes one
/// type; the formatter and the slice members are written by the other parts of this class.
/// </summary>
internal sealed partial class TypeEmitter
{
    private readonly SourceWriter _w = new();
    private readonly ShapeEmitter _shapes = new();
    private readonly TypeModel _model;
    private readonly string _self;
    private readonly string _nullableSelf;

    private TypeEmitter(TypeModel model)
    {
        _model = model;
        _self = model.FullyQualifiedName;
        _nullableSelf = model.IsValueType ? _self : _self + "?";
    }

    public static string Emit(TypeModel model) => new TypeEmitter(model).Emit();

    private string Emit()
    {
        _w.WriteLine($$"""
            {{KnownNames.FileHeader}}

            """);
        if (_model.Namespace is not null)
        {
            _w.WriteLine($$"""
                namespace {{_model.Namespace}};

                """);
        }

        foreach (ContainingType container in _model.ContainingTypes)
        {
            _w.OpenBlock($"partial {container.Keyword} {CSharpNames.Escape(container.Name)}");
        }

        _w.OpenBlock($"partial {_model.Keyword} {CSharpNames.Escape(_model.Name)} : {string.Join(", ", Interfaces())}");
        WriteInterfaceMembers();
        _w.WriteLine();
        WriteFormatter();
        _w.CloseBlock();

        foreach (ContainingType _ in _model.ContainingTypes)
        {
            _w.CloseBlock();
        }

        return _w.ToString();
    }

    private IEnumerable<string> Interfaces()
    {
        string self = _self;
        if (_model.Message is not null)
        {
            yield return $"global::Truffle.ITruffleMessage<{self}>";
        }

        if (_model.StoreId is not null)
        {
            yield return $"global::Truffle.ISyncedSlice<{self}>";
        }

        if (_model.Message is null && _model.StoreId is null)
        {
            yield return $"global::Truffle.ITruffleSerializable<{self}>";
        }
    }

    private void WriteInterfaceMembers()
    {
        string self = _model.FullyQualifiedName;
        string nullableSelf = _model.IsValueType ? self : self + "?";
        string serializable = $"global::Truffle.ITruffleSerializable<{self}>";
        string formatter = KnownNames.FormatterClass;
        string formatterProperty = $"static {KnownNames.FormatterInterface}<{self}> {serializable}.Formatter => {formatter}.Instance;";

        // The formatter also accepts null (IMessagePackFormatter<T?>, as MessagePack v3 asks); the contract is T.
        _w.WriteLine(_model.IsValueType ? formatterProperty : $$"""
            #pragma warning disable CS8619
            {{formatterProperty}}
            #pragma warning restore CS8619
            """);
        _w.WriteLine($$"""

            static bool {{serializable}}.ValueEquals({{nullableSelf}} left, {{nullableSelf}} right) => {{formatter}}.ValueEquals(left, right);
            """);
        if (_model.Message is { } message)
        {
            string contract = $"global::Truffle.ITruffleMessage<{self}>";
            _w.WriteLine($$"""

                static string {{contract}}.WireNamespace => {{CSharpNames.Literal(message.WireNamespace)}};

                static string {{contract}}.WireType => {{CSharpNames.Literal(message.WireType)}};
                """);
        }

        if (_model.StoreId is { } storeId)
        {
            string contract = $"global::Truffle.ISyncedSlice<{self}>";
            _w.WriteLine($$"""

                static string {{contract}}.StoreId => {{CSharpNames.Literal(storeId)}};

                static global::System.Collections.Immutable.ImmutableArray<string> {{contract}}.MemberNames => {{formatter}}.MemberNames;

                static {{KnownNames.MemberMask}} {{contract}}.Diff({{self}} previous, {{self}} current) => {{formatter}}.Diff(previous, current);

                static void {{contract}}.WriteMembers(ref {{KnownNames.Writer}} writer, {{self}} value, {{KnownNames.MemberMask}} members, {{KnownNames.Options}} options) => {{formatter}}.WriteMembers(ref writer, value, members, options);

                static {{self}} {{contract}}.Apply({{self}} previous, ref {{KnownNames.Reader}} reader, {{KnownNames.Options}} options, out {{KnownNames.MemberMask}} applied) => {{formatter}}.Apply(previous, ref reader, options, out applied);
                """);
        }
    }
}
