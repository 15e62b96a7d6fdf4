using System.Reflection;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// The multi-assembly layout at run time: a library and an app compiled in memory (the app's messages of
/// <see cref="ContractsAcrossAssembliesTests.AppMessages"/> and a scenario that uses <c>bus.Chat</c> on messages of
/// both), loaded, and run between two devices of an <see cref="InProcessNetwork"/>.
/// </summary>
public sealed class ContractsAtRunTimeTests
{
    // Sends a library message, broadcasts an app message and makes a request of each, between two devices.
    private const string Scenario = """
        /// <summary>One exchange over bus.Chat.</summary>
        public static class Scenario
        {
            /// <summary>What <paramref name="bo"/> received from <paramref name="ana"/>, then the replies ana got.</summary>
            public static async Task<string[]> RunAsync(IMessageBus ana, IMessageBus bo)
            {
                var received = new List<string>();
                var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                void Add(string line)
                {
                    lock (received)
                    {
                        received.Add(line);
                        if (received.Count == 2)
                        {
                            both.TrySetResult();
                        }
                    }
                }

                using IDisposable lines = bo.Chat.On<ChatMessage>((message, context) => Add($"{context.From}: {message.Text}"));
                using IDisposable typing = bo.Chat.On<Typing>((message, context) => Add($"{context.From} typing: {message.IsTyping}"));
                using IDisposable who = bo.Chat.Handle((WhoIsHere request, MessageContext context) => new List<string> { context.Type, request.Room });
                using IDisposable count = bo.Chat.Handle((CountLines request, MessageContext context) => request.Room.Length);

                await ana.Chat.Send("bo", new ChatMessage("ana", "hi"));
                await ana.Chat.Broadcast(new Typing(true));
                List<string> names = await ana.Chat.Request("bo", new WhoIsHere("lobby"), TimeSpan.FromSeconds(30));
                int counted = await ana.Chat.Request("bo", new CountLines("lobby"), TimeSpan.FromSeconds(30));
                await both.Task.WaitAsync(TimeSpan.FromSeconds(30));
                lock (received)
                {
                    return [.. received.Order(StringComparer.Ordinal), .. names, counted.ToString(System.Globalization.CultureInfo.InvariantCulture)];
                }
            }
        }
        """;

    private static readonly string[] s_expected = ["ana typing: True", "ana: hi", "who-is-here", "lobby", "5"];

    [Fact]
    public async Task Messages_of_the_library_and_of_the_app_travel_through_the_apps_bus_Chat()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Contracts", [], ContractsAcrossAssembliesTests.Contracts);
        BuiltAssembly app = Assemblies.Build("Contoso.App", [contracts], App("Contoso.Contracts"));

        Assert.Equal(s_expected, await RunAsync(Assemblies.Load(contracts, app)));
    }

    [Fact]
    public async Task Messages_of_a_library_built_with_generator_0_1_0_and_of_the_app_travel_through_the_librarys_bus_Chat()
    {
        BuiltAssembly legacy = Assemblies.Legacy(LanguageVersion.CSharp14);
        BuiltAssembly app = Assemblies.Build("Contoso.App", [legacy], App("Contoso.Legacy"));

        Assert.Equal(s_expected, await RunAsync(Assemblies.Load(legacy, app)));
    }

    private static string App(string library) =>
        ContractsAcrossAssembliesTests.AppMessages.Replace("{Library}", library, StringComparison.Ordinal) + Scenario;

    private static async Task<string[]> RunAsync(Assembly app)
    {
        var network = new InProcessNetwork();
        await using var ana = network.Connect("ana");
        await using var bo = network.Connect("bo");
        MethodInfo scenario = app.GetType("Contoso.App.Scenario", throwOnError: true)!.GetMethod("RunAsync")!;
        return await (Task<string[]>)scenario.Invoke(null, [ana, bo])!;
    }
}
