using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Truffle.Generators.Analyzers;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>TRF009: subscribing through one namespace's API to a message of another is a compile-time error.</summary>
public sealed class NamespaceApiAnalyzerTests
{
    private const string Messages = """
        using System;
        using System.Threading.Tasks;
        using Truffle;

        namespace Contoso.App;

        [TruffleMessage("chat")]
        public partial record Line(string Text);

        [TruffleMessage("notes")]
        public partial record Note(string Body);

        """;

    [Fact]
    public async Task TRF009_On_and_ReadAll_with_a_message_of_another_namespace()
    {
        var reported = await DiagnosticMarkup.VerifyAnalyzerAsync(new NamespaceApiAnalyzer(), [], Messages + """
            internal static class Usage
            {
                public static async Task UseAsync(IMessageBus bus)
                {
                    using IDisposable right = bus.Chat.On<Line>((message, context) => { });
                    using IDisposable wrong = bus.Chat.On<{|TRF009:Note|}>((message, context) => { });
                    using IDisposable wrongAsync = bus.Chat.On<{|TRF009:Note|}>((message, context, ct) => ValueTask.CompletedTask);
                    await foreach (Received<Note> received in bus.Chat.ReadAll<{|TRF009:Note|}>())
                    {
                        break;
                    }
                }
            }
            """);

        Assert.Equal(
            "'Note' is a message of the 'notes' namespace, not of 'chat': use bus.Notes",
            reported[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TRF009_with_a_message_of_a_referenced_assembly()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", [], ContractsAcrossAssembliesTests.Contracts);

        await DiagnosticMarkup.VerifyAnalyzerAsync(new NamespaceApiAnalyzer(), [contracts.Reference], Messages + """
            internal static class Usage
            {
                public static IDisposable Use(IMessageBus bus) =>
                    bus.Notes.On<{|TRF009:Contoso.Contracts.ChatMessage|}>((message, context) => { });
            }
            """);
    }

    [Fact]
    public async Task TRF009_through_the_extensions_added_to_the_bus_of_a_library_built_with_generator_0_1_0()
    {
        BuiltAssembly legacy = Assemblies.Legacy(LanguageVersion.CSharp14);

        await DiagnosticMarkup.VerifyAnalyzerAsync(new NamespaceApiAnalyzer(), [legacy.Reference], Messages + """
            internal static class Usage
            {
                public static IDisposable Use(IMessageBus bus) => bus.Chat.On<{|TRF009:Note|}>((message, context) => { });
            }
            """);
    }

    [Fact]
    public async Task Generic_code_and_other_methods_named_On_are_left_alone()
    {
        await DiagnosticMarkup.VerifyAnalyzerAsync(new NamespaceApiAnalyzer(), [], Messages + """
            internal static class Usage
            {
                public static IDisposable Subscribe<T>(IMessageBus bus)
                    where T : ITruffleMessage<T> => bus.Chat.On<T>((message, context) => { });

                public static void On<T>() { }

                public static void Use() => On<Note>();
            }
            """);
    }
}
