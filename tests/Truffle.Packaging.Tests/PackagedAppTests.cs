using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// A new console app that references only the Truffle package (<c>Apps/TwoDevices</c>): two loopback devices exchange
/// a broadcast, a direct message, a request and a slice, after <c>dotnet run</c> and after every kind of publish,
/// each time with the sidecar the packages put in place and nothing set.
/// </summary>
[Collection(PackageTests.Name)]
public sealed class PackagedAppTests(PackageFeed feed)
{
    private const string Rid = "linux-x64";

    private ScratchApp App => feed.App("TwoDevices");

    [Fact]
    public async Task Dotnet_run_uses_the_sidecar_for_this_platform_and_the_two_devices_talk()
    {
        Platform.RequireLinuxX64();
        CommandOutput build = (await App.DotnetAsync("build", "-c", "Release")).Succeeded();
        CommandOutput run = await App.DotnetAsync("run", "-c", "Release", "--no-build");

        Assert.Empty(Warnings(build));
        AssertTalked(run, App.PathOf("bin", "Release", "net10.0", "runtimes", Rid, "native", "truffle-sidecar"));
    }

    [Fact]
    public async Task Native_AOT_binary_runs_with_the_sidecar_beside_it()
    {
        Platform.RequireLinuxX64();
        string output = App.PathOf("out", "aot");
        CommandOutput publish = (await App.DotnetAsync("publish", "-c", "Release", "-r", Rid, "-p:PublishAot=true", "-o", output)).Succeeded();

        // MessagePack 2.5 is not trim-annotated: its two summary warnings are the only ones allowed (docs/aot.md).
        Assert.All(Warnings(publish), w => Assert.Matches(@"MessagePack\.dll : warning (IL2104|IL3053)", w));
        Assert.False(File.Exists(Path.Combine(output, "TwoDevices.dll")), "a Native AOT publish has no managed entry assembly");
        AssertTalked(await App.RunAsync(Path.Combine(output, "TwoDevices")), Path.Combine(output, "truffle-sidecar"));
    }

    [Fact]
    public async Task Framework_dependent_publish_for_linux_x64_runs_with_the_sidecar_beside_it()
    {
        Platform.RequireLinuxX64();
        string output = App.PathOf("out", "framework-dependent");
        CommandOutput publish = (await App.DotnetAsync("publish", "-c", "Release", "-r", Rid, "--self-contained", "false", "-o", output)).Succeeded();

        Assert.Empty(Warnings(publish));
        Assert.False(System.IO.Directory.Exists(Path.Combine(output, "runtimes")), "a publish for one runtime carries only its own sidecar");
        AssertTalked(await App.RunAsync(Path.Combine(output, "TwoDevices")), Path.Combine(output, "truffle-sidecar"));
    }

    [Fact]
    public async Task Single_file_publish_keeps_the_sidecar_out_of_the_bundle_and_runs()
    {
        Platform.RequireLinuxX64();
        string output = App.PathOf("out", "single-file");
        // IncludeNativeLibrariesForSelfExtract would bundle native files; the sidecar is a process, so it stays out.
        CommandOutput publish = (await App.DotnetAsync("publish", "-c", "Release", "-r", Rid, "--self-contained", "true",
            "-p:PublishSingleFile=true", "-p:IncludeNativeLibrariesForSelfExtract=true", "-o", output)).Succeeded();

        Assert.Empty(Warnings(publish));
        Assert.Equal(["TwoDevices", "truffle-sidecar"], System.IO.Directory.GetFiles(output)
            .Select(Path.GetFileName).Where(name => !name!.EndsWith(".pdb", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        AssertTalked(await App.RunAsync(Path.Combine(output, "TwoDevices")), Path.Combine(output, "truffle-sidecar"));
    }

    [Fact]
    public async Task Build_for_a_runtime_the_package_lacks_warns_with_the_runtime_and_TRUFFLE_SIDECAR()
    {
        // No app host: only the warning matters, and the SDK has no app host pack for this runtime here.
        CommandOutput build = (await App.DotnetAsync("build", "-c", "Release", "-r", "linux-riscv64", "--self-contained", "false",
            "-p:UseAppHost=false", "-o", App.PathOf("out", "riscv64"))).Succeeded();

        string warning = Assert.Single(Warnings(build).Distinct());
        Assert.Contains("warning TRFSC001", warning, StringComparison.Ordinal);
        Assert.Contains("linux-riscv64", warning, StringComparison.Ordinal);
        Assert.Contains("TRUFFLE_SIDECAR", warning, StringComparison.Ordinal);
    }

    /// <summary>The MSBuild warning lines of a build or publish.</summary>
    private static IEnumerable<string> Warnings(CommandOutput output) =>
        output.Lines.Where(line => line.Contains(": warning ", StringComparison.Ordinal)).Select(line => line.Trim());

    private static void AssertTalked(CommandOutput run, string expectedSidecar)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = [.. run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        Assert.Equal(
            [
                $"sidecar: {expectedSidecar}",
                "connected",
                "messages: 1 broadcast from first, 2 direct from first",
                "request: 2 + 3 = 5",
                "slice: 7",
            ],
            lines);
        UnixFileMode mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(expectedSidecar);
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute), $"{expectedSidecar} has mode {mode}");
    }
}
