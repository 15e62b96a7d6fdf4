using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Emits the formatter nested in an annotated type. It is shaped like MessagePack-CSharp's generated formatters:
/// nil check, depth step, a string-keyed map with pre-encoded keys, unknown keys skipped, depth restored.
/// </summary>
internal static class FormatterEmitter
{
    public static void Write(SourceWriter w, ShapeEmitter shapes, TypeModel model)
    {
        string self = model.FullyQualifiedName;
        string nullableSelf = model.IsValueType ? self : self + "?";
        string name = KnownNames.FormatterClass;

        w.WriteLine(KnownNames.GeneratedCode);
        w.OpenBlock($"internal {(model.HidesBaseFormatter ? "new " : string.Empty)}sealed class {name} : {KnownNames.FormatterInterface}<{nullableSelf}>");
        w.WriteLine($"public static readonly {name} Instance = new();");
        if (model.StoreId is not null)
        {
            string names = string.Join(", ", model.Members.Select(m => TypeEmitter.Literal(m.Name)));
            w.WriteLine();
            w.WriteLine($"internal static readonly global::System.Collections.Immutable.ImmutableArray<string> MemberNames = global::System.Collections.Immutable.ImmutableArray.Create({names});");
        }

        for (int i = 0; i < model.Members.Count; i++)
        {
            w.WriteLine();
            w.WriteLine($"private static global::System.ReadOnlySpan<byte> Key{i} => new byte[] {{ {TypeEmitter.EncodedKey(model.Members[i].Key)} }}; // {model.Members[i].Key}");
        }

        w.WriteLine();
        WriteSerialize(w, shapes, model, nullableSelf);
        w.WriteLine();
        WriteDeserialize(w, shapes, model, nullableSelf);
        w.WriteLine();
        WriteValueEquals(w, shapes, model, nullableSelf);
        if (model.StoreId is not null)
        {
            w.WriteLine();
            SliceEmitter.Write(w, shapes, model);
        }

        w.CloseBlock();
    }

    /// <summary>Writes the members of <c>value</c> set in <paramref name="condition"/> (all when null).</summary>
    public static void WriteMembers(SourceWriter w, ShapeEmitter shapes, TypeModel model, System.Func<int, string>? condition)
    {
        for (int i = 0; i < model.Members.Count; i++)
        {
            MemberModel member = model.Members[i];
            if (condition is not null)
            {
                w.OpenBlock($"if ({condition(i)})");
            }

            w.WriteLine($"writer.WriteRaw(Key{i});");
            shapes.Write(w, member.Shape, "value." + CSharpNames.Escape(member.Name));
            if (condition is not null)
            {
                w.CloseBlock();
            }
        }
    }

    /// <summary>
    /// Reads a map of members into the locals <c>__m0…</c>; with <paramref name="trackApplied"/>, also sets the bit of
    /// every member read in <c>__applied</c>.
    /// </summary>
    public static void ReadMap(SourceWriter w, ShapeEmitter shapes, TypeModel model, bool trackApplied, bool trackPresence = false)
    {
        w.WriteLine("int __count = reader.ReadMapHeader();");
        w.OpenBlock("for (int __index = 0; __index < __count; __index++)");
        w.WriteLine($"global::System.ReadOnlySpan<byte> __key = {KnownNames.WireFormat}.ReadKey(ref reader);");
        IEnumerable<IGrouping<int, int>> byLength = Enumerable.Range(0, model.Members.Count)
            .GroupBy(i => System.Text.Encoding.UTF8.GetByteCount(model.Members[i].Key))
            .OrderBy(g => g.Key);
        if (model.Members.Count == 0)
        {
            w.WriteLine("_ = __key;");
            w.WriteLine("reader.Skip();");
            w.CloseBlock();
            return;
        }

        w.OpenBlock("switch (__key.Length)");
        foreach (IGrouping<int, int> group in byLength)
        {
            w.WriteLine($"case {group.Key.ToString(CultureInfo.InvariantCulture)}:");
            w.OpenBlock();
            foreach (int i in group)
            {
                w.OpenBlock($"if (global::System.MemoryExtensions.SequenceEqual(__key, {TypeEmitter.Utf8Literal(model.Members[i].Key)}))");
                shapes.Read(w, model.Members[i].Shape, $"__m{i}");
                if (trackApplied)
                {
                    w.WriteLine($"__applied |= 1UL << {i};");
                }

                if (trackPresence && IsAssignedAfterConstruction(model, i))
                {
                    w.WriteLine($"__has{i} = true;");
                }

                w.WriteLine("continue;");
                w.CloseBlock();
            }

            w.WriteLine("break;");
            w.CloseBlock();
        }

        w.CloseBlock();
        w.WriteLine("reader.Skip();");
        w.CloseBlock();
    }

    /// <summary>
    /// True when member <paramref name="index"/> is set after construction, and only if its key was read, so that a
    /// missing key leaves the member's own initializer in place (constructor and init-only members cannot be).
    /// </summary>
    public static bool IsAssignedAfterConstruction(TypeModel model, int index) =>
        !model.Members[index].MustInitialize && !model.ConstructorArguments.Any(a => a.MemberIndex == index);

    /// <summary>
    /// Writes the statements that build an instance from the locals <c>__m0…</c> and return it. With
    /// <paramref name="onlyPresent"/>, members set after construction are assigned only when <c>__has{i}</c> is true.
    /// </summary>
    public static void WriteConstructAndReturn(SourceWriter w, TypeModel model, bool onlyPresent)
    {
        var arguments = model.ConstructorArguments
            .Select(a => a.MemberIndex >= 0 ? $"__m{a.MemberIndex}" : a.DefaultValue ?? "default!");
        var initialized = Enumerable.Range(0, model.Members.Count)
            .Where(i => !model.ConstructorArguments.Any(a => a.MemberIndex == i) && (!onlyPresent || !IsAssignedAfterConstruction(model, i)))
            .Select(i => $"{CSharpNames.Escape(model.Members[i].Name)} = __m{i}");
        string initializer = string.Join(", ", initialized);
        string construction = $"new {model.FullyQualifiedName}({string.Join(", ", arguments)})";
        if (initializer.Length > 0)
        {
            construction += $" {{ {initializer} }}";
        }

        int[] later = onlyPresent
            ? Enumerable.Range(0, model.Members.Count).Where(i => IsAssignedAfterConstruction(model, i)).ToArray()
            : [];
        if (later.Length == 0)
        {
            w.WriteLine($"return {construction};");
            return;
        }

        w.WriteLine($"var __result = {construction};");
        foreach (int i in later)
        {
            w.OpenBlock($"if (__has{i})");
            w.WriteLine($"__result.{CSharpNames.Escape(model.Members[i].Name)} = __m{i};");
            w.CloseBlock();
        }

        w.WriteLine("return __result;");
    }

    private static void WriteSerialize(SourceWriter w, ShapeEmitter shapes, TypeModel model, string nullableSelf)
    {
        w.OpenBlock($"public void Serialize(ref {KnownNames.Writer} writer, {nullableSelf} value, {KnownNames.Options} options)");
        if (!model.IsValueType)
        {
            w.OpenBlock("if (value is null)");
            w.WriteLine("writer.WriteNil();");
            w.WriteLine("return;");
            w.CloseBlock();
            w.WriteLine();
        }

        w.WriteLine($"writer.WriteMapHeader({model.Members.Count.ToString(CultureInfo.InvariantCulture)});");
        WriteMembers(w, shapes, model, condition: null);
        w.CloseBlock();
    }

    private static void WriteDeserialize(SourceWriter w, ShapeEmitter shapes, TypeModel model, string nullableSelf)
    {
        w.OpenBlock($"public {nullableSelf} Deserialize(ref {KnownNames.Reader} reader, {KnownNames.Options} options)");
        w.OpenBlock("if (reader.TryReadNil())");
        w.WriteLine(model.IsValueType ? "return default;" : "return null;");
        w.CloseBlock();
        w.WriteLine();
        w.WriteLine("options.Security.DepthStep(ref reader);");
        for (int i = 0; i < model.Members.Count; i++)
        {
            MemberModel member = model.Members[i];
            w.WriteLine($"{member.Shape.TypeName} __m{i} = {member.DefaultValue ?? ShapeEmitter.MissingValue(member.Shape)};");
            if (IsAssignedAfterConstruction(model, i))
            {
                w.WriteLine($"bool __has{i} = false;");
            }
        }

        ReadMap(w, shapes, model, trackApplied: false, trackPresence: true);
        w.WriteLine("reader.Depth--;");
        WriteConstructAndReturn(w, model, onlyPresent: true);
        w.CloseBlock();
    }

    private static void WriteValueEquals(SourceWriter w, ShapeEmitter shapes, TypeModel model, string nullableSelf)
    {
        w.OpenBlock($"internal static bool ValueEquals({nullableSelf} left, {nullableSelf} right)");
        if (!model.IsValueType)
        {
            w.OpenBlock("if (ReferenceEquals(left, right))");
            w.WriteLine("return true;");
            w.CloseBlock();
            w.WriteLine();
            w.OpenBlock("if (left is null || right is null)");
            w.WriteLine("return false;");
            w.CloseBlock();
            w.WriteLine();
        }

        if (model.Members.Count == 0)
        {
            w.WriteLine("return true;");
        }
        else
        {
            IEnumerable<string> terms = model.Members.Select(m => shapes.Equal(m.Shape, "left." + CSharpNames.Escape(m.Name), "right." + CSharpNames.Escape(m.Name)));
            w.WriteLine("return " + string.Join("\n    && ", terms) + ";");
        }

        w.CloseBlock();
    }
}
