using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// The formatter nested in an annotated type, shaped like MessagePack-CSharp's generated formatters: nil check,
/// depth step, a string-keyed map with pre-encoded keys, unknown keys skipped, depth restored.
/// </summary>
internal sealed partial class TypeEmitter
{
    private void WriteFormatter()
    {
        string name = KnownNames.FormatterClass;

        _w.WriteLine($$"""
            {{KnownNames.GeneratedCode}}
            internal {{(_model.HidesBaseFormatter ? "new " : string.Empty)}}sealed class {{name}} : {{KnownNames.FormatterInterface}}<{{_nullableSelf}}>
            {
                public static readonly {{name}} Instance = new();
            """);
        _w.Indentation++;
        if (_model.StoreId is not null)
        {
            _w.WriteLine($$"""

                internal static readonly global::System.Collections.Immutable.ImmutableArray<string> MemberNames = global::System.Collections.Immutable.ImmutableArray.Create({{string.Join(", ", _model.Members.Select(m => CSharpNames.Literal(m.Name)))}});
                """);
        }

        for (int i = 0; i < _model.Members.Count; i++)
        {
            _w.WriteLine($$"""

                private static global::System.ReadOnlySpan<byte> Key{{i}} => new byte[] { {{EncodedKey(_model.Members[i].Key)}} }; // {{_model.Members[i].Key}}
                """);
        }

        _w.WriteLine();
        WriteSerialize();
        _w.WriteLine();
        WriteDeserialize();
        _w.WriteLine();
        WriteValueEquals();
        if (_model.StoreId is not null)
        {
            _w.WriteLine();
            WriteSliceMembers();
        }

        _w.CloseBlock();
    }

    /// <summary>Writes the members of <c>value</c> set in <paramref name="condition"/> (all when null).</summary>
    private void WriteMembers(System.Func<int, string>? condition)
    {
        for (int i = 0; i < _model.Members.Count; i++)
        {
            MemberModel member = _model.Members[i];
            if (condition is not null)
            {
                _w.OpenBlock($"if ({condition(i)})");
            }

            _w.WriteLine($"writer.WriteRaw(Key{i});");
            _shapes.Write(_w, member.Shape, "value." + CSharpNames.Escape(member.Name));
            if (condition is not null)
            {
                _w.CloseBlock();
            }
        }
    }

    /// <summary>
    /// Reads a map of members into the locals <c>__m0…</c>; with <paramref name="trackApplied"/>, also sets the bit of
    /// every member read in <c>__applied</c>.
    /// </summary>
    private void ReadMap(bool trackApplied, bool trackPresence = false)
    {
        _w.WriteLine($$"""
            int __count = reader.ReadMapHeader();
            for (int __index = 0; __index < __count; __index++)
            {
                global::System.ReadOnlySpan<byte> __key = {{KnownNames.WireFormat}}.ReadKey(ref reader);
            """);
        if (_model.Members.Count == 0)
        {
            _w.WriteLine("""
                    _ = __key;
                    reader.Skip();
                }
                """);
            return;
        }

        _w.Indentation++;
        _w.OpenBlock("switch (__key.Length)");
        IEnumerable<IGrouping<int, int>> byLength = Enumerable.Range(0, _model.Members.Count)
            .GroupBy(i => System.Text.Encoding.UTF8.GetByteCount(_model.Members[i].Key))
            .OrderBy(g => g.Key);
        foreach (IGrouping<int, int> group in byLength)
        {
            _w.WriteLine($"case {group.Key.ToString(CultureInfo.InvariantCulture)}:");
            _w.OpenBlock();
            foreach (int i in group)
            {
                _w.OpenBlock($"if (global::System.MemoryExtensions.SequenceEqual(__key, {CSharpNames.Utf8Literal(_model.Members[i].Key)}))");
                _shapes.Read(_w, _model.Members[i].Shape, $"__m{i}");
                if (trackApplied)
                {
                    _w.WriteLine($"__applied |= 1UL << {i};");
                }

                if (trackPresence && TracksPresence(i))
                {
                    _w.WriteLine($"__has{i} = true;");
                }

                _w.WriteLine("continue;");
                _w.CloseBlock();
            }

            _w.WriteLine("break;");
            _w.CloseBlock();
        }

        _w.CloseBlock();
        _w.WriteLine("reader.Skip();");
        _w.CloseBlock();
    }

    /// <summary>
    /// True when member <paramref name="index"/> is set after construction, and only if its key was read, so that a
    /// missing key leaves the member's own initializer in place (constructor and init-only members cannot be).
    /// </summary>
    private bool IsAssignedAfterConstruction(int index) =>
        !_model.Members[index].MustInitialize && !_model.ConstructorArguments.Any(a => a.MemberIndex == index);

    /// <summary>
    /// True when reading must note whether member <paramref name="index"/>'s key was present: to assign it only then,
    /// or to fail without it.
    /// </summary>
    private bool TracksPresence(int index) => IsAssignedAfterConstruction(index) || _model.Members[index].IsRequired;

    /// <summary>
    /// Writes the statements that build an instance from the locals <c>__m0…</c> and return it. With
    /// <paramref name="onlyPresent"/>, members set after construction are assigned only when <c>__has{i}</c> is true.
    /// </summary>
    private void WriteConstructAndReturn(bool onlyPresent)
    {
        var arguments = _model.ConstructorArguments
            .Select(a => a.MemberIndex >= 0 ? $"__m{a.MemberIndex}" : a.DefaultValue ?? "default!");
        var initialized = Enumerable.Range(0, _model.Members.Count)
            .Where(i => !_model.ConstructorArguments.Any(a => a.MemberIndex == i) && (!onlyPresent || !IsAssignedAfterConstruction(i)))
            .Select(i => $"{CSharpNames.Escape(_model.Members[i].Name)} = __m{i}");
        string initializer = string.Join(", ", initialized);
        string construction = $"new {_model.FullyQualifiedName}({string.Join(", ", arguments)})";
        if (initializer.Length > 0)
        {
            construction += $" {{ {initializer} }}";
        }

        int[] later = onlyPresent
            ? Enumerable.Range(0, _model.Members.Count).Where(i => IsAssignedAfterConstruction(i)).ToArray()
            : [];
        if (later.Length == 0)
        {
            _w.WriteLine($"return {construction};");
            return;
        }

        _w.WriteLine($"var __result = {construction};");
        foreach (int i in later)
        {
            _w.WriteLine($$"""
                if (__has{{i}})
                {
                    __result.{{CSharpNames.Escape(_model.Members[i].Name)}} = __m{{i}};
                }
                """);
        }

        _w.WriteLine("return __result;");
    }

    private void WriteSerialize()
    {
        _w.OpenBlock($"public void Serialize(ref {KnownNames.Writer} writer, {_nullableSelf} value, {KnownNames.Options} options)");
        if (!_model.IsValueType)
        {
            _w.WriteLine("""
                if (value is null)
                {
                    writer.WriteNil();
                    return;
                }

                """);
        }

        _w.WriteLine($"writer.WriteMapHeader({_model.Members.Count.ToString(CultureInfo.InvariantCulture)});");
        WriteMembers(condition: null);
        _w.CloseBlock();
    }

    private void WriteDeserialize()
    {
        _w.WriteLine($$"""
            public {{_nullableSelf}} Deserialize(ref {{KnownNames.Reader}} reader, {{KnownNames.Options}} options)
            {
                if (reader.TryReadNil())
                {
                    {{(_model.IsValueType ? "return default;" : "return null;")}}
                }

                options.Security.DepthStep(ref reader);
            """);
        _w.Indentation++;
        for (int i = 0; i < _model.Members.Count; i++)
        {
            MemberModel member = _model.Members[i];
            _w.WriteLine($"{member.Shape.TypeName} __m{i} = {member.DefaultValue ?? ShapeEmitter.MissingValue(member.Shape)};");
            if (TracksPresence(i))
            {
                _w.WriteLine($"bool __has{i} = false;");
            }
        }

        ReadMap(trackApplied: false, trackPresence: true);
        _w.WriteLine("reader.Depth--;");
        for (int i = 0; i < _model.Members.Count; i++)
        {
            MemberModel member = _model.Members[i];
            if (member.IsRequired)
            {
                _w.WriteLine($$"""
                    if (!__has{{i}})
                    {
                        throw {{KnownNames.WireFormat}}.MissingMember({{CSharpNames.Literal(_model.Name)}}, {{CSharpNames.Literal(member.Name)}}, {{CSharpNames.Literal(member.Key)}});
                    }
                    """);
            }
        }

        WriteConstructAndReturn(onlyPresent: true);
        _w.CloseBlock();
    }

    private void WriteValueEquals()
    {
        _w.OpenBlock($"internal static bool ValueEquals({_nullableSelf} left, {_nullableSelf} right)");
        if (!_model.IsValueType)
        {
            _w.WriteLine("""
                if (ReferenceEquals(left, right))
                {
                    return true;
                }

                if (left is null || right is null)
                {
                    return false;
                }

                """);
        }

        IEnumerable<string> terms = _model.Members.Select(m => _shapes.Equal(m.Shape, "left." + CSharpNames.Escape(m.Name), "right." + CSharpNames.Escape(m.Name)));
        _w.WriteLine(_model.Members.Count == 0 ? "return true;" : "return " + string.Join("\n    && ", terms) + ";");
        _w.CloseBlock();
    }

    /// <summary>
    /// The MessagePack encoding of a key (a str header and the UTF-8 bytes), as a byte list for a
    /// <c>ReadOnlySpan&lt;byte&gt;</c> property the compiler maps straight to the assembly's data.
    /// </summary>
    private static string EncodedKey(string key)
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
}
