using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// A contracts solution by package (<c>Apps/Contracts</c>): a library declaring "chat" messages and two apps, Desk and
/// Tool, each adding a "chat" message of its own, all referencing only the Truffle package. Each assembly's
/// <c>bus.Chat</c> reaches the library's messages and its own, and the two apps, run as two processes on one loopback
/// network, exchange both kinds.
/// </summary>
[Collection(PackageTests.Name)]
public sealed class ContractsSolutionTests(PackageFeed feed)
{
    private ScratchApp App => feed.App("Contracts");

    [Fact]
    public async Task Library_and_two_apps_build_without_warnings_and_the_apps_exchange_messages_of_the_library_and_their_own()
    {
        Platform.RequireLinuxX64();
        // One wire namespace in three assemblies compiled cleanly (no CS0436, no ambiguous bus.Chat) is half the point.
        CommandOutput build = (await App.DotnetAsync("build", "Contracts.slnx", "-c", "Release")).Succeeded();
        Assert.DoesNotContain(build.Lines, line => line.Contains(": warning ", StringComparison.Ordinal));

        string network = Directory.CreateTempSubdirectory("truffle-contracts-").FullName;
        try
        {
            Task<CommandOutput> desk = App.RunAsync(App.PathOf("Desk", "bin", "Release", "net10.0", "Desk"), network);
            Task<CommandOutput> tool = App.RunAsync(App.PathOf("Tool", "bin", "Release", "net10.0", "Tool"), network);

            Assert.Equal(
                ["tool: the desk listens", "tool: wave 1 from desk", "tool: the desk answered \"fine, thanks\""],
                OutputOf(await tool));
            Assert.Equal(
                ["desk: the tool listens", "desk: wave 2 from tool", "desk: the tool asked \"how are you?\"", "desk: the tool left"],
                OutputOf(await desk));
        }
        finally
        {
            Directory.Delete(network, recursive: true);
        }
    }

    private static string[] OutputOf(CommandOutput run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
