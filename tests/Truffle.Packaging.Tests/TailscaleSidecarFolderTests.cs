using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// <c>scripts/pack.sh --sidecar-dir DIR</c>, the way Tailscale builds made elsewhere get packed (docs/packaging.md):
/// a folder that lacks a runtime, or whose binaries report another version, is refused before anything is packed.
/// The files are written without execute bits, as an artifact download leaves them, so the version check also shows
/// that pack.sh restores them.
/// </summary>
[Collection(PackageTests.Name)]
public sealed class TailscaleSidecarFolderTests(PackageFeed feed)
{
    private static readonly string[] Runtimes = ["linux-x64", "linux-arm64", "osx-x64", "osx-arm64", "win-x64", "win-arm64"];

    [Fact]
    public async Task A_folder_without_one_runtime_is_refused_naming_the_missing_file()
    {
        string folder = SidecarFolder("missing", "0.0.0", without: "win-arm64");

        CommandOutput pack = await PackAsync(folder);

        Assert.NotEqual(0, pack.ExitCode);
        Assert.Contains($"pack.sh: {folder}/win-arm64/truffle-sidecar.exe is missing (one binary per runtime: {string.Join(' ', Runtimes)})", pack.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet pack", pack.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binaries_of_another_version_are_refused_rather_than_packed_under_a_wrong_label()
    {
        Platform.RequireLinuxX64();
        string folder = SidecarFolder("other-version", "9.9.9");

        CommandOutput pack = await PackAsync(folder);

        Assert.NotEqual(0, pack.ExitCode);
        Assert.Contains(
            $"pack.sh: the linux-x64 sidecar reports \"truffle-sidecar-tsnet 9.9.9 (protocol 5; backends: tsnet, loopback)\", not version {feed.Version}",
            pack.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet pack", pack.StandardOutput, StringComparison.Ordinal);
    }

    // Stand-ins for tsnet builds: each "binary" is a script that answers --version as one would.
    private string SidecarFolder(string name, string version, string? without = null)
    {
        string folder = Path.Combine(feed.Root, "tsnet-" + name);
        foreach (string rid in Runtimes.Where(r => r != without))
        {
            string file = Path.Combine(folder, rid, rid.StartsWith("win-", StringComparison.Ordinal) ? "truffle-sidecar.exe" : "truffle-sidecar");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, $"#!/bin/sh\necho 'truffle-sidecar-tsnet {version} (protocol 5; backends: tsnet, loopback)'\n");
        }

        return folder;
    }

    private Task<CommandOutput> PackAsync(string folder) => Commands.RunAsync(
        "bash",
        [Path.Combine(PackageFeed.RepositoryRoot, "scripts", "pack.sh"), "--sidecar-dir", folder, "--version", feed.Version,
            "--output", Path.Combine(feed.Root, "refused-" + Path.GetFileName(folder))],
        PackageFeed.RepositoryRoot,
        TimeSpan.FromMinutes(3));
}
