using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>TRF005–TRF008: diagnostics about the declaration itself, and a large valid input.</summary>
public sealed partial class DiagnosticTests
{
    // ---------------------------------------------------------------------------------------------------- TRF005

    [Fact]
    public void TRF005_slice_without_members()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [SyncedSlice("presence")]
            public partial record {|TRF005:Presence|};
            """);

        Assert.Equal("Slice 'Presence' has no serializable member: add a public property or field", DiagnosticMarkup.Message(run, "TRF005"));
    }

    [Fact]
    public void TRF005_slice_whose_members_are_all_ignored_or_computed()
    {
        DiagnosticMarkup.Verify(Usings + """
            [SyncedSlice("presence")]
            public partial class {|TRF005:Presence|}
            {
                [TruffleIgnore]
                public bool Online { get; set; }

                public string Label => "x";

                internal int Hidden { get; set; }
            }
            """);
    }

    // ---------------------------------------------------------------------------------------------------- TRF006

    [Fact]
    public void TRF006_generic_type()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("chat")]
            public partial record {|TRF006:Envelope|}<T>(string Name);
            """);

        Assert.Equal("'Envelope<T>' cannot be a Truffle type: generic types are not supported", DiagnosticMarkup.Message(run, "TRF006"));
    }

    private const string NestedInGeneric = Usings + """
        public partial class Outer<T>
        {
            [TruffleMessage("chat")]
            public partial record {|TRF006:Inner|}(string Name);
        }
        """;

    [Fact]
    public void TRF006_type_nested_in_a_generic_type() => DiagnosticMarkup.Verify(NestedInGeneric);

    [Fact]
    public void TRF006_message_names_the_generic_containing_type()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(NestedInGeneric);

        Assert.EndsWith("it is nested in the generic type 'Outer'", DiagnosticMarkup.Message(run, "TRF006"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("private")]
    [InlineData("protected")]
    [InlineData("private protected")]
    public void TRF006_nested_type_that_is_not_public_or_internal(string accessibility)
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + $$"""
            public partial class Outer
            {
                [TruffleMessage("chat")]
                {{accessibility}} partial record {|TRF006:Secret|}(string Name);
            }
            """);

        Assert.EndsWith("it and every type around it must be public or internal", DiagnosticMarkup.Message(run, "TRF006"), StringComparison.Ordinal);
    }

    [Fact]
    public void TRF006_abstract_type()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("shapes")]
            public abstract partial record {|TRF006:Shape|}(int Sides);
            """);

        Assert.EndsWith("it is abstract", DiagnosticMarkup.Message(run, "TRF006"), StringComparison.Ordinal);
    }

    [Fact]
    public void TRF006_static_class()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("chat")]
            public static partial class {|TRF006:Constants|}
            {
            }
            """);

        Assert.EndsWith("it is static", DiagnosticMarkup.Message(run, "TRF006"), StringComparison.Ordinal);
    }

    [Fact]
    public void TRF006_ref_struct()
    {
        DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("chat")]
            public ref partial struct {|TRF006:Window|}
            {
                public int Start;
            }
            """);
    }

    [Fact]
    public void TRF006_no_constructor_matches_the_members()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("weather")]
            public partial class {|TRF006:Reading|}
            {
                public Reading(double celsius) => Kelvin = celsius + 273.15;

                public double Kelvin { get; set; }
            }
            """);

        Assert.EndsWith("it has no constructor whose parameters all match its public members (or have defaults)", DiagnosticMarkup.Message(run, "TRF006"), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_parameter_with_a_default_need_not_match_a_member()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("weather")]
            public partial class Reading
            {
                public Reading(double kelvin, bool validate = true) => Kelvin = validate ? Math.Max(0, kelvin) : kelvin;

                public double Kelvin { get; }
            }
            """);

        GeneratorHarness.AssertCompilesCleanly(run);
    }

    // ---------------------------------------------------------------------------------------------------- TRF007

    [Fact]
    public void TRF007_slice_with_65_members()
    {
        string members = string.Join(", ", Enumerable.Range(0, 65).Select(i => $"int M{i}"));
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + $$"""
            [SyncedSlice("wide")]
            public partial record {|TRF007:Wide|}({{members}});
            """);

        Assert.StartsWith("Slice 'Wide' has 65 members; a slice may have at most 64", DiagnosticMarkup.Message(run, "TRF007"), StringComparison.Ordinal);
    }

    [Fact]
    public void Message_with_65_members_is_not_limited()
    {
        string members = string.Join(", ", Enumerable.Range(0, 65).Select(i => $"int M{i}"));
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + $$"""
            [TruffleMessage("wide")]
            public partial record Wide({{members}});
            """);

        GeneratorHarness.AssertCompilesCleanly(run);
    }

    // ---------------------------------------------------------------------------------------------------- TRF008

    [Fact]
    public void TRF008_two_members_with_the_same_camel_case_key()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("web")]
            public partial class Link
            {
                public string URL { get; set; } = "";

                public {|TRF008:string|} Url { get; set; } = "";
            }
            """);

        Assert.Equal("Members 'URL' and 'Url' of 'Link' both map to the key 'url' on the wire", DiagnosticMarkup.Message(run, "TRF008"));
    }

    [Fact]
    public void TRF008_field_and_positional_property_with_the_same_key()
    {
        DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("web")]
            public partial record Page(string ID)
            {
                public {|TRF008:int|} Id;
            }
            """);
    }

    // ------------------------------------------------------------------------------------------------ valid input

    [Fact]
    public void Valid_input_gives_no_diagnostic_and_compiles()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(
            """
            using System;
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using Truffle;

            namespace Contoso.Chat
            {
                public enum Mood { Calm, Busy }

                [TruffleMessage("chat")]
                public partial record ChatMessage(string Author, string Text, DateTimeOffset SentAt);

                [TruffleMessage("chat", Type = "typing")]
                public partial record TypingIndicator(string Author, bool IsTyping);

                [TruffleMessage("chat")]
                public partial record History(int Count) : IRequest<ImmutableArray<ChatMessage>>;

                [TruffleMessage("chat")]
                public partial record WhoIsThere(string Room) : IRequest<List<string>>;

                [SyncedSlice("presence")]
                public partial record Presence(string Name, Mood Mood, List<string> OpenRooms, Dictionary<string, DateTime> LastSeen, ChatMessage? Pinned);

                public static partial class Admin
                {
                    [TruffleMessage("admin")]
                    public partial record Kick(string Device, string? Reason = null);

                    [TruffleMessage("admin")]
                    internal partial record struct Ban(string Device, TimeSpan For);
                }
            }

            namespace Contoso.Files
            {
                [TruffleMessage("file-sync")]
                public partial class FileChanged
                {
                    public FileChanged(string path) => Path = path;

                    public string Path { get; }

                    public byte[] Hash { get; init; } = [];

                    public long? Size { get; set; }

                    [TruffleIgnore]
                    public object? Tag { get; set; }
                }

                [TruffleMessage("file-sync")]
                public partial record Fetch(string Path) : IRequest<ReadOnlyMemory<byte>>;

                [TruffleMessage("file-sync")]
                public partial record Stat(string Path) : IRequest<FileChanged>;
            }
            """,
            """
            using Truffle;

            [SyncedSlice("cursor")]
            public partial struct Cursor
            {
                public int Line;
                public int Column;
            }
            """);

        GeneratorHarness.AssertCompilesCleanly(run);
        string[] hints = run.Generator.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            [
                "Contoso.Chat.Admin.Ban.g.cs", "Contoso.Chat.Admin.Kick.g.cs", "Contoso.Chat.ChatMessage.g.cs",
                "Contoso.Chat.History.g.cs", "Contoso.Chat.Presence.g.cs", "Contoso.Chat.TypingIndicator.g.cs",
                "Contoso.Chat.WhoIsThere.g.cs", "Contoso.Files.Fetch.g.cs", "Contoso.Files.FileChanged.g.cs",
                "Contoso.Files.Stat.g.cs", "Cursor.g.cs", "Truffle.AdminBus.g.cs", "Truffle.ChatBus.g.cs",
                "Truffle.FileSyncBus.g.cs", "Truffle.GeneratedResolver.g.cs", "Truffle.NamespaceApis.g.cs",
            ],
            hints);
    }
}
