using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// <c>dotnet tool install Truffle.Cli</c> from the packed feed, and the installed <c>truffle</c> run as a user runs
/// it: with no <c>TRUFFLE_SIDECAR</c>, so it must find the sidecar its package carries.
/// </summary>
[Collection(PackageTests.Name)]
public sealed class ToolPackageTests(PackageFeed feed)
{
    [Fact]
    public async Task Installed_truffle_reports_its_version_and_runs_a_real_mesh_with_the_sidecar_it_carries()
    {
        Platform.RequireLinuxX64();
        string tools = Path.Combine(feed.Root, "tools"); // --tool-path: never the user's global tools
        (await Commands.RunAsync(
            "dotnet", ["tool", "install", "Truffle.Cli", "--version", feed.Version, "--tool-path", tools],
            feed.Root, TimeSpan.FromMinutes(3), feed.DotnetEnvironment)).Succeeded();
        string truffle = Path.Combine(tools, "truffle");

        CommandOutput version = (await Commands.RunAsync(truffle, ["--version"], feed.Root, TimeSpan.FromMinutes(1), feed.DotnetEnvironment)).Succeeded();
        // Nothing typed: the demo sends one message from ana, waits until the two others got it, and exits 0.
        CommandOutput demo = await Commands.RunAsync(truffle, ["demo"], feed.Root, TimeSpan.FromMinutes(2), feed.DotnetEnvironment, standardInput: "");

        Assert.StartsWith(feed.Version, version.StandardOutput.Trim(), StringComparison.Ordinal);
        Assert.True(demo.ExitCode == 0, demo.ToString());
        string[] delivered = [.. demo.StandardOutput.Split('\n').Where(line => line.Contains("hi from ana", StringComparison.Ordinal))];
        Assert.Equal(2, delivered.Length);
        Assert.Contains(delivered, line => line.StartsWith("[bo]", StringComparison.Ordinal));
        Assert.Contains(delivered, line => line.StartsWith("[cy]", StringComparison.Ordinal));
    }
}
