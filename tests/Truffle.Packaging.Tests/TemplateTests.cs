using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary><c>dotnet new truffle-app</c> from the packed Truffle.Templates, built and run against the packed Truffle.</summary>
[Collection(PackageTests.Name)]
public sealed class TemplateTests(PackageFeed feed)
{
    [Fact]
    public async Task New_truffle_app_builds_without_warnings_and_its_two_devices_talk()
    {
        Platform.RequireLinuxX64();
        string hive = Path.Combine(feed.Root, "template-hive"); // never the user's own template store
        string project = Path.Combine(feed.Root, "HelloTruffle");
        (await Commands.RunAsync("dotnet", ["new", "install", feed.Package("Truffle.Templates"), "--debug:custom-hive", hive],
            feed.Root, TimeSpan.FromMinutes(2), feed.DotnetEnvironment)).Succeeded();
        (await Commands.RunAsync("dotnet", ["new", "truffle-app", "-o", project, "--debug:custom-hive", hive],
            feed.Root, TimeSpan.FromMinutes(2), feed.DotnetEnvironment)).Succeeded();

        CommandOutput build = (await Commands.RunAsync("dotnet", ["build", "-c", "Release"], project, TimeSpan.FromMinutes(10), feed.DotnetEnvironment)).Succeeded();
        CommandOutput run = await Commands.RunAsync("dotnet", ["run", "-c", "Release", "--no-build"], project, TimeSpan.FromMinutes(2), feed.DotnetEnvironment);

        Assert.DoesNotContain(build.Lines, line => line.Contains(": warning ", StringComparison.Ordinal));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(
            [
                "ana and bo see each other",
                "bo got a message from ana: hello bo",
                "ana asked bo how it is: fine, thanks ana",
                "ana sees bo's presence: bo is online",
            ],
            run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
