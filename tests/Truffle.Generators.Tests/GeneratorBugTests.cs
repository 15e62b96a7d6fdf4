using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// Inputs that broke the generator when it was first written (found by review); each test pins the fixed behaviour.
/// </summary>
public sealed class GeneratorBugTests
{
    [Fact]
    public void Message_deriving_from_another_message_compiles_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat")]
            public partial record ChatMessage(string Text);

            [TruffleMessage("chat")]
            public partial record EditedMessage(string Text, int Revision) : ChatMessage(Text);
            """);

        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void Members_named_with_keywords_compile()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.School;

            [TruffleMessage("school")]
            public partial record Enrolment(string @class, int @event);
            """);

        GeneratorHarness.AssertValid(run);
        Assert.Contains("\"class\"u8", run.Source("Contoso.School.Enrolment.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void Type_in_a_namespace_named_with_keywords_is_generated()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace @class.@event;

            [TruffleMessage("chat")]
            public partial record Lesson(int Sequence);
            """);

        GeneratorHarness.AssertValid(run);
        Assert.Contains("class.event.Lesson.g.cs", run.Generator.GeneratedSources.Select(s => s.HintName));
    }

    [Fact]
    public void Type_named_with_a_contextual_keyword_compiles_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.School;

            [TruffleMessage("school")]
            public partial record @record(int Sequence);
            """);

        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void Namespaces_that_would_share_an_api_name_are_TRF003_not_a_crash()
    {
        // "chat" and "chat-" (or "a-b" and "a--b") would both be ChatBus: one hint name twice made AddSource throw.
        GeneratorRun run = DiagnosticMarkup.Verify("""
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat")]
            public partial record Ping(int Sequence);

            [TruffleMessage({|TRF003:"chat-"|})]
            public partial record Pong(int Sequence);
            """);

        Assert.Null(run.Generator.Exception);
    }

    [Fact]
    public void File_local_type_is_TRF006()
    {
        GeneratorRun run = DiagnosticMarkup.Verify("""
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat")]
            file partial record {|TRF006:Ping|}(int Sequence);
            """);

        GeneratorHarness.AssertCompilesCleanly(run);
    }

    [Fact]
    public void Request_with_a_nullable_annotated_reply_compiles_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Notes;

            [TruffleMessage("notes")]
            public partial record Note(string Title);

            [TruffleMessage("notes")]
            public partial record FindNote(string Title) : IRequest<Note?>;
            """);

        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void Public_request_with_an_internal_reply_compiles()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Chat;

            internal enum Level { Low, High }

            [TruffleMessage("chat")]
            public partial record GetLevel(string Room) : IRequest<Level>;
            """);

        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void Member_hiding_a_base_member_compiles()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Ui;

            public class Widget
            {
                public int Label { get; set; }
            }

            [TruffleMessage("ui")]
            public partial class Button : Widget
            {
                public new string Label { get; set; } = "";
            }
            """);

        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void Message_without_members_compiles_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Truffle;

            namespace Contoso.Chat;

            [TruffleMessage("chat")]
            public partial record Ping;

            [TruffleMessage("chat")]
            public partial class Pong
            {
            }
            """);

        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void Message_deriving_from_a_message_of_another_assembly_compiles_without_warnings()
    {
        GeneratorRun library = GeneratorHarness.Run(GeneratorHarness.Compile("Contoso.Shared", GeneratorHarness.Latest, [], """
            using Truffle;

            namespace Contoso.Shared;

            [TruffleMessage("shared")]
            public partial record ChatMessage(string Text);
            """));
        GeneratorHarness.AssertValid(library);

        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile("App", GeneratorHarness.Latest, [GeneratorHarness.EmitReference(library)], """
            using Truffle;

            namespace App;

            [TruffleMessage("chat")]
            public partial record EditedMessage(string Text, int Revision) : Contoso.Shared.ChatMessage(Text);
            """));

        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void Look_alike_types_in_another_namespace_are_not_truffles_own()
    {
        // The parser compares symbols, not names: an app's own IRequest<T>, TruffleIgnore or List<T> is an ordinary type.
        GeneratorRun run = GeneratorHarness.Run("""
            namespace Contoso.Lookalikes
            {
                public interface IRequest<TReply>;

                [System.AttributeUsage(System.AttributeTargets.All)]
                public sealed class TruffleIgnoreAttribute : System.Attribute;

                public sealed class List<T>;
            }

            namespace Contoso.Chat
            {
                using Contoso.Lookalikes;

                [Truffle.TruffleMessage("chat")]
                public partial record Ask(string Text, [property: TruffleIgnore] string Kept) : IRequest<object>;
            }
            """);

        GeneratorHarness.AssertValid(run);
        string api = run.Source("Truffle.ChatBus.g.cs");
        Assert.DoesNotContain("Request(", api, StringComparison.Ordinal);
        Assert.Contains("value.Kept", run.Source("Contoso.Chat.Ask.g.cs"), StringComparison.Ordinal);

        GeneratorRun list = DiagnosticMarkup.Verify("""
            namespace Contoso.Lookalikes
            {
                public sealed class List<T>;
            }

            namespace Contoso.Chat
            {
                [Truffle.TruffleMessage("chat")]
                public partial record Names({|TRF002:Contoso.Lookalikes.List<string>|} Items);
            }
            """);
        Assert.Contains("'List<string>'", DiagnosticMarkup.Message(list, "TRF002"), StringComparison.Ordinal);
    }
}
