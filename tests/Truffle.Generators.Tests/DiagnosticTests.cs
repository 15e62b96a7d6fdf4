using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// One or more cases per diagnostic, each pinning the id and the exact source the diagnostic underlines
/// (<c>{|TRF001:Outer|}</c>); an input with no mark must report nothing.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using Truffle;

        namespace Contoso.App;

        """;

    // ---------------------------------------------------------------------------------------------------- TRF001

    [Fact]
    public void TRF001_type_that_is_not_partial()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("chat")]
            public record {|TRF001:ChatMessage|}(string Text);
            """);

        Assert.Equal("'ChatMessage' must be declared partial so Truffle can generate its serializer", DiagnosticMarkup.Message(run, "TRF001"));
        Assert.Empty(run.Generator.GeneratedSources);
    }

    [Fact]
    public void TRF001_containing_type_that_is_not_partial()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            public static class {|TRF001:Messages|}
            {
                [TruffleMessage("chat")]
                public partial record ChatMessage(string Text);
            }
            """);

        Assert.Contains("'Messages'", DiagnosticMarkup.Message(run, "TRF001"), StringComparison.Ordinal);
    }

    [Fact]
    public void TRF001_slice_and_its_container_both_not_partial()
    {
        DiagnosticMarkup.Verify(Usings + """
            public class {|TRF001:Outer|}
            {
                [SyncedSlice("presence")]
                public record {|TRF001:Presence|}(bool Online);
            }
            """);
    }

    // ---------------------------------------------------------------------------------------------------- TRF002

    [Theory]
    [InlineData("System.Uri", "Uri")]
    [InlineData("object", "object")]
    [InlineData("Dictionary<int, string>", "Dictionary<int, string>")]
    [InlineData("HashSet<int>", "HashSet<int>")]
    [InlineData("IEnumerable<int>", "IEnumerable<int>")]
    [InlineData("int[,]", "int[*,*]")]
    [InlineData("List<System.Uri>", "List<Uri>")]
    [InlineData("Plain", "Plain")]
    public void TRF002_positional_member_of_an_unsupported_type(string type, string display)
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + $$"""
            public class Plain { public int X { get; set; } }

            [TruffleMessage("chat")]
            public partial record Attachment(string Name, {|TRF002:{{type}}|} Link);
            """);

        Assert.Equal(
            $"Property 'Link' has type '{display}', which Truffle cannot serialize: use a supported type or a [TruffleMessage]/[SyncedSlice] type",
            DiagnosticMarkup.Message(run, "TRF002"));
    }

    [Fact]
    public void TRF002_property_and_field_of_unsupported_types_name_each_member()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [SyncedSlice("state")]
            public partial class State
            {
                public {|TRF002:object|} Payload { get; set; } = new();

                public {|TRF002:HashSet<int>|} Seen = new();

                public int Count { get; set; }
            }
            """);

        string[] messages = run.Diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal).ToArray();
        Assert.StartsWith("Field 'Seen' has type 'HashSet<int>'", messages[0], StringComparison.Ordinal);
        Assert.StartsWith("Property 'Payload' has type 'object'", messages[1], StringComparison.Ordinal);
    }

    [Fact]
    public void TRF002_reply_of_an_unsupported_type_points_at_the_request_interface()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("files")]
            public partial record Fetch(string Path) : {|TRF002:IRequest<Uri>|};
            """);

        Assert.StartsWith("Reply of 'Fetch' has type 'Uri'", DiagnosticMarkup.Message(run, "TRF002"), StringComparison.Ordinal);
    }

    [Fact]
    public void TRF002_reply_points_at_truffles_request_interface_not_at_a_base_named_like_it()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            public interface IRequestTracing;

            [TruffleMessage("files")]
            public partial record Fetch(string Path) : IRequestTracing, {|TRF002:Truffle.IRequest<Uri>|};
            """);

        Assert.StartsWith("Reply of 'Fetch' has type 'Uri'", DiagnosticMarkup.Message(run, "TRF002"), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------------------------------------------- TRF003

    [Theory]
    [InlineData("\"Chat\"", "must start with a lowercase ASCII letter")]
    [InlineData("\"\"", "is empty")]
    [InlineData("\"9x\"", "must start with a lowercase ASCII letter")]
    [InlineData("\"a_b\"", "contains '_'")]
    [InlineData("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "is longer than 63 characters")]
    [InlineData("\"truffle\"", "is reserved")]
    [InlineData("\"mesh\"", "is reserved")]
    [InlineData("\"sync\"", "is reserved")]
    [InlineData("\"chat-\"", "may not end with '-' or contain '--'")]
    [InlineData("\"a--b\"", "may not end with '-' or contain '--'")]
    public void TRF003_invalid_or_reserved_namespace(string argument, string reason)
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + $$"""
            [TruffleMessage({|TRF003:{{argument}}|})]
            public partial record Ping(int Sequence);
            """);

        string message = DiagnosticMarkup.Message(run, "TRF003");
        Assert.StartsWith("Namespace '", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Fact]
    public void TRF003_sixty_three_characters_is_the_longest_valid_namespace()
    {
        DiagnosticMarkup.Verify(Usings + $$"""
            [TruffleMessage("{{new string('a', 63)}}")]
            public partial record Ping(int Sequence);
            """);
    }

    [Fact]
    public void TRF003_invalid_explicit_type_points_at_the_named_argument()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("chat", {|TRF003:Type = "chat message"|})]
            public partial record ChatMessage(string Text);
            """);

        Assert.StartsWith("Type 'chat message' contains ' '", DiagnosticMarkup.Message(run, "TRF003"), StringComparison.Ordinal);
    }

    [Fact]
    public void TRF003_type_name_with_no_valid_kebab_case_points_at_the_attribute()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [{|TRF003:TruffleMessage("chat")|}]
            public partial record Café(string Order);
            """);

        Assert.StartsWith("Type 'café' contains 'é'", DiagnosticMarkup.Message(run, "TRF003"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"Presence\"")]
    [InlineData("\"\"")]
    [InlineData("\"with space\"")]
    public void TRF003_invalid_store_id(string argument)
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + $$"""
            [SyncedSlice({|TRF003:{{argument}}|})]
            public partial record Presence(bool Online);
            """);

        Assert.StartsWith("Store id '", DiagnosticMarkup.Message(run, "TRF003"), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------------------------------------------- TRF004

    [Fact]
    public void TRF004_two_messages_with_the_same_namespace_and_type()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("chat")]
            public partial record Ping(int Sequence);

            [TruffleMessage("chat", Type = "ping")]
            public partial record {|TRF004:Probe|}(int Sequence);
            """);

        Assert.Equal("'Probe' and 'Ping' both use message chat/ping on the wire", DiagnosticMarkup.Message(run, "TRF004"));
    }

    [Fact]
    public void TRF004_duplicate_in_another_file_is_reported_on_the_later_file()
    {
        DiagnosticMarkup.Verify(
            Usings + """
                [TruffleMessage("chat")]
                public partial record Ping(int Sequence);
                """,
            Usings + """
                public static partial class Diagnostics
                {
                    [TruffleMessage("chat")]
                    public partial record {|TRF004:Ping|}(long Sequence);
                }
                """);
    }

    [Fact]
    public void TRF004_two_slices_with_the_same_store_id()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [SyncedSlice("presence")]
            public partial record Presence(bool Online);

            [SyncedSlice("presence")]
            public partial record {|TRF004:Status|}(string Text);
            """);

        Assert.Equal("'Status' and 'Presence' both use store presence on the wire", DiagnosticMarkup.Message(run, "TRF004"));
    }

    [Fact]
    public void Same_wire_type_in_two_namespaces_is_not_a_duplicate()
    {
        GeneratorRun run = DiagnosticMarkup.Verify(Usings + """
            [TruffleMessage("chat")]
            public partial record Ping(int Sequence);

            [TruffleMessage("game", Type = "ping")]
            public partial record GamePing(int Sequence);
            """);

        GeneratorHarness.AssertCompilesCleanly(run);
    }
}
