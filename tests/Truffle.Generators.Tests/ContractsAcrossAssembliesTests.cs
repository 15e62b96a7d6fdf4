using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// A wire namespace declared in several assemblies (a contracts library and the apps that use it): every assembly's
/// <c>bus.Chat</c> reaches every <c>chat</c> message it can see, with no warning or ambiguity in a consumer's
/// warnings-as-errors build, and TRF004 sees clashes across assemblies. Each assembly is compiled in memory with the
/// generator and referenced by the next through its emitted image.
/// </summary>
public sealed class ContractsAcrossAssembliesTests
{
    internal const string Contracts = """
        using System.Collections.Generic;
        using Truffle;

        namespace Contoso.Contracts;

        /// <summary>A line of chat.</summary>
        [TruffleMessage("chat")]
        public partial record ChatMessage(string Author, string Text);

        /// <summary>Asks who is in a room.</summary>
        [TruffleMessage("chat")]
        public partial record WhoIsHere(string Room) : IRequest<List<string>>;

        /// <summary>What a device shares about itself.</summary>
        [SyncedSlice("presence")]
        public partial record Presence(string Status);
        """;

    /// <summary>
    /// The app's own <c>chat</c> messages, beside those of <c>{Library}</c>: the contracts above, or the 0.1.0 fixture,
    /// which declares <c>ChatMessage</c> and <c>WhoIsHere</c> alike.
    /// </summary>
    internal const string AppMessages = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;
        using {Library};
        using Truffle;

        namespace Contoso.App;

        /// <summary>Someone is typing.</summary>
        [TruffleMessage("chat")]
        public partial record Typing(bool IsTyping);

        /// <summary>Counts the lines of a room.</summary>
        [TruffleMessage("chat")]
        public partial record CountLines(string Room) : IRequest<int>;

        /// <summary>Asks for the latest line of a room.</summary>
        [TruffleMessage("chat")]
        public partial record LatestLine(string Room) : IRequest<ChatMessage>;

        """;

    // Every member of bus.Chat on the library's messages and the app's own; {Chat} is how the API is reached.
    private const string Usage = """
        internal static class Usage
        {
            public static async Task UseAsync(IMessageBus bus)
            {
                await bus.{Chat}.Send("bo", new ChatMessage("ana", "hi"));
                await bus.{Chat}.Send("bo", new Typing(true));
                await bus.{Chat}.Broadcast(new ChatMessage("ana", "all"));
                await bus.{Chat}.Broadcast(new Typing(false));
                List<string> names = await bus.{Chat}.Request("bo", new WhoIsHere("lobby"), TimeSpan.FromSeconds(1));
                int count = await bus.{Chat}.Request("bo", new CountLines("lobby"), TimeSpan.FromSeconds(1));
                ChatMessage latest = await bus.{Chat}.Request("bo", new LatestLine("lobby"), TimeSpan.FromSeconds(1));
                using IDisposable lines = bus.{Chat}.On<ChatMessage>((message, context) => { });
                using IDisposable typing = bus.{Chat}.On<Typing>((message, context) => { });
                using IDisposable who = bus.{Chat}.Handle((WhoIsHere request, MessageContext context) => names);
                using IDisposable counting = bus.{Chat}.Handle((CountLines request, MessageContext context) => count);
                using IDisposable latestLine = bus.{Chat}.Handle((LatestLine request, MessageContext context) => latest);
                await foreach (Received<Typing> received in bus.{Chat}.ReadAll<Typing>())
                {
                    break;
                }
            }
        }
        """;

    /// <summary>The app over <paramref name="library"/>, reaching the API as <c>bus.<paramref name="chat"/></c>.</summary>
    internal static string App(string library, string chat = "Chat") =>
        (AppMessages + Usage).Replace("{Library}", library, StringComparison.Ordinal).Replace("{Chat}", chat, StringComparison.Ordinal);

    [Fact]
    public void App_and_its_contracts_library_both_declaring_chat_reach_every_chat_message_through_bus_Chat()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", [], Contracts);
        BuiltAssembly app = Assemblies.Build("Contoso.App", [contracts], App("Contoso.Contracts"));

        string api = app.Run!.Source("Truffle.ChatBus.g.cs");
        Assert.Contains("namespace Truffle.Generated.Contoso.App;", api, StringComparison.Ordinal);
        Assert.Contains("internal readonly struct ChatBus", api, StringComparison.Ordinal);
        Assert.Contains("Send(string deviceId, global::Contoso.Contracts.ChatMessage message", api, StringComparison.Ordinal);
        Assert.Contains("Send(string deviceId, global::Contoso.App.Typing message", api, StringComparison.Ordinal);
        Assert.Contains("TypedBus.WireTypeOf<global::Contoso.Contracts.WhoIsHere>()", api, StringComparison.Ordinal);
        Assert.Contains("Request(string deviceId, global::Contoso.App.LatestLine request", api, StringComparison.Ordinal);
        Assert.Contains("global using global::Truffle.Generated.Contoso.App;", app.Run.Source("Truffle.NamespaceApis.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void CSharp12_app_reaches_the_library_messages_through_the_bus_Chat_method()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", LanguageVersion.CSharp12, [], Contracts);
        BuiltAssembly app = Assemblies.Build("Contoso.App", LanguageVersion.CSharp12, [contracts], App("Contoso.Contracts", "Chat()"));

        Assert.Contains("public static ChatBus Chat(this global::Truffle.IMessageBus bus)", app.Run!.Source("Truffle.ChatBus.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_third_assembly_reaches_the_chat_messages_of_every_library_it_references_and_its_own()
    {
        // Contracts, a desktop module that adds a message of its own, and an unrelated plugin library that also says
        // "chat": the tool references all three and declares a message too.
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", [], Contracts);
        BuiltAssembly desktop = Assemblies.Build("Contoso.Desktop", [contracts], """
            using Contoso.Contracts;
            using Truffle;

            namespace Contoso.Desktop;

            /// <summary>Someone is typing.</summary>
            [TruffleMessage("chat")]
            public partial record Typing(bool IsTyping);

            internal static class Usage
            {
                public static System.Threading.Tasks.ValueTask Say(IMessageBus bus) => bus.Chat.Broadcast(new ChatMessage("desk", "hi"));
            }
            """);
        BuiltAssembly plugins = Assemblies.Build("Contoso.Plugins", [], """
            using Truffle;

            namespace Contoso.Plugins;

            /// <summary>A plugin joined the chat.</summary>
            [TruffleMessage("chat")]
            public partial record PluginLoaded(string Name);
            """);
        BuiltAssembly tool = Assemblies.Build("Contoso.Tool", [contracts, desktop, plugins], """
            using System.Threading.Tasks;
            using Contoso.Contracts;
            using Contoso.Desktop;
            using Contoso.Plugins;
            using Truffle;

            namespace Contoso.Tool;

            /// <summary>A ping from the tool.</summary>
            [TruffleMessage("chat")]
            public partial record ToolPing(int Sequence);

            internal static class Usage
            {
                public static async Task UseAsync(IMessageBus bus)
                {
                    await bus.Chat.Send("a", new ChatMessage("tool", "hi"));
                    await bus.Chat.Send("a", new Typing(true));
                    await bus.Chat.Send("a", new PluginLoaded("spell"));
                    await bus.Chat.Send("a", new ToolPing(1));
                    using System.IDisposable subscription = bus.Chat.On<PluginLoaded>((message, context) => { });
                }
            }
            """);

        string api = tool.Run!.Source("Truffle.ChatBus.g.cs");
        foreach (string type in new[] { "Contoso.Contracts.ChatMessage", "Contoso.Desktop.Typing", "Contoso.Plugins.PluginLoaded", "Contoso.Tool.ToolPing" })
        {
            Assert.Contains($"Broadcast(global::{type} message", api, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_library_that_shows_its_internals_to_the_app_leaves_one_bus_Chat_which_reaches_its_internal_messages()
    {
        // A contracts library and its test project are the usual pair: the test project sees the library's own
        // (internal) bus.Chat, which must not meet the test project's.
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", [], "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Contoso.App\")]", Contracts, """
            namespace Contoso.Contracts;

            [Truffle.TruffleMessage("chat")]
            internal partial record Whisper(string Text);
            """);
        BuiltAssembly app = Assemblies.Build("Contoso.App", [contracts], App("Contoso.Contracts"), """
            namespace Contoso.App;

            internal static class Whispering
            {
                public static System.Threading.Tasks.ValueTask Whisper(Truffle.IMessageBus bus) => bus.Chat.Send("bo", new Contoso.Contracts.Whisper("psst"));
            }
            """);

        Assert.Contains("global::Contoso.Contracts.Whisper message", app.Run!.Source("Truffle.ChatBus.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_with_no_message_of_its_own_gets_bus_Chat_for_its_references_and_no_resolver_but_registers_their_schemas()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", [], Contracts);
        BuiltAssembly app = Assemblies.Build("Contoso.App", [contracts], """
            namespace Contoso.App;

            internal static class Usage
            {
                public static System.Threading.Tasks.ValueTask Say(Truffle.IMessageBus bus) => bus.Chat.Broadcast(new Contoso.Contracts.ChatMessage("ana", "hi"));
            }
            """);

        Assert.Equal(["Truffle.ChatBus.g.cs", "Truffle.NamespaceApis.g.cs", "Truffle.ReferencedSchemas.g.cs"], app.Run!.Generator.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp14)]
    [InlineData(LanguageVersion.CSharp12)]
    public void An_app_adds_its_messages_to_bus_Chat_of_a_library_built_with_generator_0_1_0(LanguageVersion version)
    {
        BuiltAssembly legacy = Assemblies.Legacy(version);
        BuiltAssembly app = Assemblies.Build("Contoso.App", version, [legacy], App("Contoso.Legacy", version >= LanguageVersion.CSharp14 ? "Chat" : "Chat()"));

        string api = app.Run!.Source("Truffle.ChatBus.g.cs");
        Assert.Contains("public static global::System.Threading.Tasks.ValueTask Send(this global::Truffle.ChatBus legacy, string deviceId, global::Contoso.App.Typing message", api, StringComparison.Ordinal);
        Assert.DoesNotContain("this global::Truffle.ChatBus legacy, string deviceId, global::Contoso.Legacy.ChatMessage", api, StringComparison.Ordinal);
        Assert.DoesNotContain("extension(", api, StringComparison.Ordinal);
        Assert.DoesNotContain("this global::Truffle.IMessageBus", api, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_libraries_built_with_generator_0_1_0_that_declare_one_namespace_still_clash_as_docs_say()
    {
        // docs/generator.md: their two public Truffle.ChatBusExtensions hide each other where `using Truffle;` is in
        // scope, as before; rebuilding them with the current generator is the fix.
        BuiltAssembly first = Assemblies.Legacy(LanguageVersion.CSharp14);
        BuiltAssembly second = Assemblies.Legacy(LanguageVersion.CSharp14, text => text
            .Replace("Contoso.Legacy", "Contoso.Other", StringComparison.Ordinal)
            .Replace("ChatMessage", "OtherMessage", StringComparison.Ordinal)
            .Replace("WhoIsHere", "OtherWho", StringComparison.Ordinal)
            .Replace("LastMessage", "OtherLast", StringComparison.Ordinal));

        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile("Contoso.App", GeneratorHarness.Latest, [first.Reference, second.Reference], """
            using Truffle;

            namespace Contoso.App;

            internal static class Usage
            {
                public static System.Threading.Tasks.ValueTask Say(IMessageBus bus) => bus.Chat.Send("bo", new Contoso.Legacy.ChatMessage("ana", "hi"));
            }
            """));

        GeneratorHarness.AssertNoGeneratorDiagnostics(run);
        Assert.Equal(["CS9286"], run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id));
    }

    // ---------------------------------------------------------------------------------------------------- TRF004

    [Fact]
    public void TRF004_a_message_with_the_wire_name_of_a_referenced_one_is_reported_at_the_local_type()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", [], Contracts);

        GeneratorRun run = DiagnosticMarkup.Verify([contracts.Reference], """
            namespace Contoso.App;

            [Truffle.TruffleMessage("chat", Type = "chat-message")]
            public partial record {|TRF004:Line|}(string Text);
            """);

        Assert.Equal(
            "'Line' and 'ChatMessage' of assembly Contoso.Contracts both use message chat/chat-message on the wire",
            DiagnosticMarkup.Message(run, "TRF004"));
    }

    [Fact]
    public void TRF004_a_slice_with_the_store_id_of_a_referenced_one_is_reported_at_the_local_type()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", [], Contracts);

        GeneratorRun run = DiagnosticMarkup.Verify([contracts.Reference], """
            namespace Contoso.App;

            [Truffle.SyncedSlice("presence")]
            public partial record {|TRF004:Status|}(string Text);
            """);

        Assert.Equal("'Status' and 'Presence' of assembly Contoso.Contracts both use store presence on the wire", DiagnosticMarkup.Message(run, "TRF004"));
    }

    [Fact]
    public void TRF004_counts_the_internal_messages_of_a_reference_too_as_they_meet_on_the_wire()
    {
        BuiltAssembly library = Assemblies.Build("Contoso.Library", [], """
            namespace Contoso.Library;

            [Truffle.TruffleMessage("chat")]
            internal partial record Ping(int Sequence);
            """);

        GeneratorRun run = DiagnosticMarkup.Verify([library.Reference], """
            namespace Contoso.App;

            [Truffle.TruffleMessage("chat")]
            public partial record {|TRF004:Ping|}(int Sequence);
            """);

        Assert.DoesNotContain("Contoso.Library.Ping", run.Source("Truffle.ChatBus.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void TRF004_two_referenced_libraries_that_clash_are_reported_in_the_assembly_that_sees_both()
    {
        const string Ping = """
            namespace Contoso.{0};

            /// <summary>A ping.</summary>
            [Truffle.TruffleMessage("chat")]
            public partial record Ping(int Sequence);
            """;
        BuiltAssembly first = Assemblies.Build("Contoso.First", [], Ping.Replace("{0}", "First", StringComparison.Ordinal));
        BuiltAssembly second = Assemblies.Build("Contoso.Second", [], Ping.Replace("{0}", "Second", StringComparison.Ordinal));

        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile("Contoso.App", GeneratorHarness.Latest, [first.Reference, second.Reference], "namespace Contoso.App;"));

        Diagnostic clash = Assert.Single(run.Diagnostics);
        Assert.Equal("TRF004", clash.Id);
        Assert.Equal(Location.None, clash.Location);
        Assert.Equal(
            "'Ping' of assembly Contoso.Second and 'Ping' of assembly Contoso.First both use message chat/ping on the wire",
            clash.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
