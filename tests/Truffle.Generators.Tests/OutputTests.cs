using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// The generated source for representative inputs, pinned as snapshots in <c>Snapshots/&lt;Test&gt;/</c>. Every case
/// also proves the generator reports nothing and its output builds with no error or warning.
/// </summary>
public sealed class OutputTests
{
    [Fact]
    public void Positional_record_message_in_a_namespace()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat")]
            public partial record ChatMessage(string Author, string Text);
            """);

        GeneratorHarness.AssertValid(run);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Explicit_wire_type_replaces_the_kebab_case_name()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat", Type = "typing-indicator")]
            public partial record Typing(string User, bool IsTyping);
            """);

        GeneratorHarness.AssertValid(run);
        Assert.Contains("WireType => \"typing-indicator\"", run.Source("Contoso.Chat.Typing.g.cs"), StringComparison.Ordinal);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Request_with_an_annotated_reply()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Truffle;

            namespace Contoso.Notes;

            [TruffleMessage("notes")]
            public partial record Note(string Title, string Body);

            [TruffleMessage("notes")]
            public partial record GetNote(Guid Id) : IRequest<Note>;
            """);

        GeneratorHarness.AssertValid(run);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Requests_with_replies_that_are_not_annotated()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using Truffle;

            namespace Contoso.Files;

            [TruffleMessage("files")]
            public partial record ListFiles(string Folder) : IRequest<List<string>>;

            [TruffleMessage("files")]
            public partial record CountFiles(string Folder) : IRequest<int>;
            """);

        GeneratorHarness.AssertValid(run);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Slice_with_collections()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using Truffle;

            namespace Contoso.Presence;

            [SyncedSlice("presence")]
            public partial record DevicePresence(
                string DeviceName,
                List<string> OpenFiles,
                Dictionary<string, int> Cursors,
                ImmutableArray<string> Tags,
                bool Online);
            """);

        GeneratorHarness.AssertValid(run);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Nominal_class_with_init_and_set_properties_and_a_constructor_default()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Settings;

            [TruffleMessage("settings")]
            public partial class EditorSettings
            {
                public EditorSettings(string theme, int fontSize = 12)
                {
                    Theme = theme;
                    FontSize = fontSize;
                }

                public string Theme { get; }

                public int FontSize { get; }

                public string? Language { get; init; }

                public bool WordWrap { get; set; }

                public double Zoom = 1.0;

                public int DoubledFontSize => FontSize * 2;
            }
            """);

        GeneratorHarness.AssertValid(run);
        Assert.DoesNotContain("DoubledFontSize", run.Source("Contoso.Settings.EditorSettings.g.cs"), StringComparison.Ordinal);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Records_nested_in_a_partial_class_and_a_partial_static_class()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Game;

            public partial class Lobby
            {
                [TruffleMessage("game")]
                public partial record Join(string Player);
            }

            public static partial class Moves
            {
                [TruffleMessage("game")]
                public partial record Move(int X, int Y);
            }
            """);

        GeneratorHarness.AssertValid(run);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Record_struct_message_nested_in_a_struct()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Game;

            internal partial struct Board
            {
                [TruffleMessage("board")]
                public partial record struct Cell(int Row, int Column, char Mark);
            }
            """);

        GeneratorHarness.AssertValid(run);
        Assert.Contains("internal readonly struct BoardBus", run.Source("Truffle.BoardBus.g.cs"), StringComparison.Ordinal);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Record_in_the_global_namespace()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            [TruffleMessage("greetings")]
            public partial record Hello(string Name);
            """);

        GeneratorHarness.AssertValid(run);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Members_of_every_supported_kind()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using Truffle;

            namespace Contoso.Kinds;

            public enum Priority : byte { Low, High }

            public enum Color { Red, Green }

            [TruffleMessage("kinds")]
            public partial record Note(string Title);

            [TruffleMessage("kinds")]
            public partial record Everything(
                Dictionary<string, List<int?>> Buckets,
                ImmutableArray<Note> Notes,
                int[][] Grid,
                IReadOnlyList<string?> Labels,
                IReadOnlyDictionary<string, Guid> Owners,
                byte[] Payload,
                byte[]? OptionalPayload,
                ReadOnlyMemory<byte> Memory,
                Memory<byte> Scratch,
                Priority Priority,
                Color? Tint,
                int? MaybeCount,
                Guid? MaybeId,
                DateTime At,
                DateTimeOffset Offset,
                TimeSpan Elapsed,
                decimal Price,
                char Initial,
                Note? Pinned,
                Note Main,
                string? Comment,
                bool Flag,
                sbyte Tiny,
                short Small,
                ushort SmallUnsigned,
                uint Unsigned,
                long Big,
                ulong BigUnsigned,
                float Single,
                double Double);
            """);

        GeneratorHarness.AssertValid(run);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Ignored_members_stay_off_the_wire()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat")]
            public partial record Draft(string Text)
            {
                [TruffleIgnore]
                public string? CachedHtml { get; set; }

                [TruffleIgnore]
                public int LocalRevision;
            }
            """);

        GeneratorHarness.AssertValid(run);
        string source = run.Source("Contoso.Chat.Draft.g.cs");
        Assert.DoesNotContain("CachedHtml", source, StringComparison.Ordinal);
        Assert.DoesNotContain("LocalRevision", source, StringComparison.Ordinal);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void CSharp12_gets_an_extension_method_instead_of_an_extension_property()
    {
        GeneratorRun run = GeneratorHarness.Run(LanguageVersion.CSharp12, """
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat")]
            public partial record ChatMessage(string Author, string Text);
            """);

        GeneratorHarness.AssertValid(run);
        string api = run.Source("Truffle.ChatBus.g.cs");
        Assert.Contains("public static ChatBus Chat(this global::Truffle.IMessageBus bus)", api, StringComparison.Ordinal);
        Assert.DoesNotContain("extension(", api, StringComparison.Ordinal);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Slice_with_64_members_uses_every_bit_of_the_mask()
    {
        string members = string.Join(", ", Enumerable.Range(0, 64).Select(i => $"int M{i}"));
        GeneratorRun run = GeneratorHarness.Run($$"""
            using Truffle;

            namespace Contoso.Wide;

            [SyncedSlice("wide")]
            public partial record Wide({{members}});
            """);

        GeneratorHarness.AssertValid(run);
        string source = run.Source("Contoso.Wide.Wide.g.cs");
        Assert.Contains("members.Bits & ulong.MaxValue", source, StringComparison.Ordinal);
        Assert.Contains("changed |= 1UL << 63;", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Annotated_types_from_a_referenced_assembly_are_reached_through_their_interface()
    {
        GeneratorRun library = GeneratorHarness.Run(GeneratorHarness.Compile("Contoso.Shared", GeneratorHarness.Latest, [], """
            using Truffle;

            namespace Contoso.Shared;

            [TruffleMessage("shared")]
            public partial record Note(string Title);

            [SyncedSlice("profile")]
            public partial record Profile(string Name);
            """));
        GeneratorHarness.AssertValid(library);

        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.AssemblyName, GeneratorHarness.Latest, [GeneratorHarness.EmitReference(library)], """
            using System.Collections.Generic;
            using Contoso.Shared;
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat")]
            public partial record Share(Note Note, List<Profile> Viewers) : IRequest<Note>;
            """));

        GeneratorHarness.AssertValid(run);
        SnapshotAssert.Matches(run);
    }

    [Fact]
    public void Type_with_no_annotated_type_generates_nothing()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            namespace Contoso.Plain;

            public partial record NotAMessage(string Text);
            """);

        GeneratorHarness.AssertValid(run);
        Assert.Empty(run.Generator.GeneratedSources);
    }

    [Fact]
    public void Generated_types_carry_the_version_of_the_generator_assembly()
    {
        string informational = typeof(TruffleGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        string packageVersion = informational.Split('+')[0];
        GeneratorRun run = GeneratorHarness.Run("""
            [Truffle.TruffleMessage("chat")]
            public partial record Hello(string Name);
            """);

        string[] attributes = run.Generator.GeneratedSources
            .SelectMany(source => Regex.Matches(source.SourceText.ToString(), @"GeneratedCode\(""[^""]*"", ""[^""]*""\)"))
            .Select(match => match.Value)
            .ToArray();
        Assert.NotEmpty(attributes);
        Assert.All(attributes, attribute => Assert.Equal($"GeneratedCode(\"Truffle.Generators\", \"{packageVersion}\")", attribute));
    }
}
