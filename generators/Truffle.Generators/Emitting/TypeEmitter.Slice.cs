using System.Globalization;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>A slice's members in its formatter: the member-wise diff, the partial write and the apply.</summary>
internal sealed partial class TypeEmitter
{
    private void WriteSliceMembers()
    {
        string self = _self;
        string mask = KnownNames.MemberMask;
        string allBits = _model.Members.Count >= 64
            ? "ulong.MaxValue"
            : $"0x{((1UL << _model.Members.Count) - 1).ToString("X", CultureInfo.InvariantCulture)}UL";

        _w.WriteLine($$"""
            internal static {{mask}} Diff({{self}} previous, {{self}} current)
            {
                ulong changed = 0;
            """);
        _w.Indentation++;
        for (int i = 0; i < _model.Members.Count; i++)
        {
            string member = CSharpNames.Escape(_model.Members[i].Name);
            _w.WriteLine($$"""
                if (!({{_shapes.Equal(_model.Members[i].Shape, "previous." + member, "current." + member)}}))
                {
                    changed |= 1UL << {{i}};
                }
                """);
        }

        _w.Indentation--;
        _w.WriteLine($$"""
                return new {{mask}}(changed);
            }

            internal static void WriteMembers(ref {{KnownNames.Writer}} writer, {{self}} value, {{mask}} members, {{KnownNames.Options}} options)
            {
                members = new {{mask}}(members.Bits & {{allBits}});
                writer.WriteMapHeader(members.Count);
            """);
        _w.Indentation++;
        WriteMembers(i => $"members.Contains({i})");
        _w.Indentation--;
        _w.WriteLine($$"""
            }

            internal static {{self}} Apply({{self}} previous, ref {{KnownNames.Reader}} reader, {{KnownNames.Options}} options, out {{mask}} applied)
            {
                if (reader.TryReadNil())
                {
                    applied = default;
                    return previous;
                }

                options.Security.DepthStep(ref reader);
                ulong __applied = 0;
            """);
        _w.Indentation++;
        for (int i = 0; i < _model.Members.Count; i++)
        {
            MemberModel member = _model.Members[i];
            _w.WriteLine($"{member.Shape.TypeName} __m{i} = previous.{CSharpNames.Escape(member.Name)};");
        }

        ReadMap(trackApplied: true);
        _w.WriteLine($$"""
            reader.Depth--;
            applied = new {{mask}}(__applied);
            """);
        WriteConstructAndReturn(onlyPresent: false);
        _w.CloseBlock();
    }
}
