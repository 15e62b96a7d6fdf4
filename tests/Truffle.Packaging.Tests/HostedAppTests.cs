using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// A Generic Host app that references only Truffle.Hosting (and Microsoft.Extensions.Hosting), restored from the feed
/// (<c>Apps/Hosted</c>): its node is configured from appsettings.json plus the command line, handler classes with a
/// scoped service answer a plain node on the same loopback network, the health check reports, and the host's stop
/// is a goodbye the other node hears.
/// </summary>
[Collection(PackageTests.Name)]
public sealed class HostedAppTests(PackageFeed feed)
{
    private ScratchApp App => feed.App("Hosted");

    [Fact]
    public async Task Hosted_app_from_appsettings_serves_through_handler_classes_reports_health_and_says_goodbye_on_stop()
    {
        Platform.RequireLinuxX64();
        CommandOutput build = (await App.DotnetAsync("build", "-c", "Release")).Succeeded();
        Assert.DoesNotContain(build.Lines, line => line.Contains(": warning ", StringComparison.Ordinal));

        string root = Directory.CreateTempSubdirectory("truffle-hosted-").FullName;
        try
        {
            CommandOutput run = await App.RunAsync(App.PathOf("bin", "Release", "net10.0", "Hosted"),
                $"--Truffle:StateDirectory={Path.Combine(root, "worker")}", $"--Truffle:LoopbackDirectory={Path.Combine(root, "network")}");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(
                [
                    "visitor sees worker, role notes",
                    "worker handled: hello, hello again",
                    "visitor got note welcome: served by a hosted node",
                    "health: Healthy",
                    "visitor heard the worker's goodbye",
                    "health after stop: Unhealthy",
                    "notebooks: 3 for 3 calls, 3 disposed",
                ],
                run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains(run.Lines, line => line.Contains("Truffle.Hosting.TruffleHostedService[9001]", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
