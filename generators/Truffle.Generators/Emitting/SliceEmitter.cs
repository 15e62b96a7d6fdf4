using System.Globalization;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>Emits a slice's member-wise diff, its partial write and its apply.</summary>
internal static class SliceEmitter
{
    public static void Write(SourceWriter w, ShapeEmitter shapes, TypeModel model)
    {
        string self = model.FullyQualifiedName;
        string allBits = model.Members.Count >= 64
            ? "ulong.MaxValue"
            : $"0x{((1UL << model.Members.Count) - 1).ToString("X", CultureInfo.InvariantCulture)}UL";

        w.OpenBlock($"internal static {KnownNames.MemberMask} Diff({self} previous, {self} current)");
        w.WriteLine("ulong changed = 0;");
        for (int i = 0; i < model.Members.Count; i++)
        {
            MemberModel member = model.Members[i];
            w.OpenBlock($"if (!({shapes.Equal(member.Shape, "previous." + CSharpNames.Escape(member.Name), "current." + CSharpNames.Escape(member.Name))}))");
            w.WriteLine($"changed |= 1UL << {i};");
            w.CloseBlock();
        }

        w.WriteLine($"return new {KnownNames.MemberMask}(changed);");
        w.CloseBlock();
        w.WriteLine();

        w.OpenBlock($"internal static void WriteMembers(ref {KnownNames.Writer} writer, {self} value, {KnownNames.MemberMask} members, {KnownNames.Options} options)");
        w.WriteLine($"members = new {KnownNames.MemberMask}(members.Bits & {allBits});");
        w.WriteLine("writer.WriteMapHeader(members.Count);");
        FormatterEmitter.WriteMembers(w, shapes, model, i => $"members.Contains({i})");
        w.CloseBlock();
        w.WriteLine();

        w.OpenBlock($"internal static {self} Apply({self} previous, ref {KnownNames.Reader} reader, {KnownNames.Options} options, out {KnownNames.MemberMask} applied)");
        w.OpenBlock("if (reader.TryReadNil())");
        w.WriteLine("applied = default;");
        w.WriteLine("return previous;");
        w.CloseBlock();
        w.WriteLine();
        w.WriteLine("options.Security.DepthStep(ref reader);");
        w.WriteLine("ulong __applied = 0;");
        for (int i = 0; i < model.Members.Count; i++)
        {
            MemberModel member = model.Members[i];
            w.WriteLine($"{member.Shape.TypeName} __m{i} = previous.{CSharpNames.Escape(member.Name)};");
        }

        FormatterEmitter.ReadMap(w, shapes, model, trackApplied: true);
        w.WriteLine("reader.Depth--;");
        w.WriteLine($"applied = new {KnownNames.MemberMask}(__applied);");
        FormatterEmitter.WriteConstructAndReturn(w, model, onlyPresent: false);
        w.CloseBlock();
    }
}
