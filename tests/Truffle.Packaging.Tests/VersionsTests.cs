using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// Two real builds of one app (<c>Apps/Versions</c>), the second with a member added to its "notes" message, run as
/// two processes with their own sidecars on one loopback network: each sees in the other's hello a different "notes"
/// fingerprint and the same "chat" one, and the "board" namespace of a contracts library that neither app touches is
/// in both hellos from the start (docs/schema-evolution.md, "At run time"); the changed message goes both ways.
/// </summary>
[Collection(PackageTests.Name)]
public sealed class VersionsTests(PackageFeed feed)
{
    [Fact]
    public async Task Two_builds_see_each_others_fingerprints_differ_only_for_the_changed_namespace_and_an_untouched_library_is_in_both()
    {
        Platform.RequireLinuxX64();
        ScratchApp older = feed.App("Versions");
        ScratchApp newer = feed.App("Versions", "Versions-newer");
        string wire = newer.PathOf("Notes", "Wire.cs");
        File.WriteAllText(wire, File.ReadAllText(wire).Replace("int Stars)", "int Stars, string? Author = null)", StringComparison.Ordinal));
        (await older.DotnetAsync("build", "Notes/Notes.csproj", "-c", "Release")).Succeeded();
        (await newer.DotnetAsync("build", "Notes/Notes.csproj", "-c", "Release")).Succeeded();

        string network = Directory.CreateTempSubdirectory("truffle-versions-").FullName;
        try
        {
            Task<CommandOutput> first = older.RunAsync(older.PathOf("Notes", "bin", "Release", "net10.0", "Notes"), "older", network, "newer", "stay");
            Task<CommandOutput> second = newer.RunAsync(newer.PathOf("Notes", "bin", "Release", "net10.0", "Notes"), "newer", network, "older", "leave");
            CommandOutput olderRun = await first, newerRun = await second;
            (Dictionary<string, string> olderOwn, Dictionary<string, string> olderSaw) = Schemas(olderRun);
            (Dictionary<string, string> newerOwn, Dictionary<string, string> newerSaw) = Schemas(newerRun);

            Assert.Equal(["board", "chat", "notes"], olderOwn.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(newerOwn, olderSaw);
            Assert.Equal(olderOwn, newerSaw);
            Assert.NotEqual(olderOwn["notes"], newerOwn["notes"]);
            Assert.Equal(olderOwn["chat"], newerOwn["chat"]);
            Assert.Equal(olderOwn["board"], newerOwn["board"]);

            // The compatible change works both ways: the older build skips the newer's extra member, the newer
            // gives it its default when the older's message lacks it.
            Assert.Contains("memo newer 5", olderRun.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("memo older 5", newerRun.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(network, recursive: true);
        }
    }

    // "me ns=fp ..." and "peer ns=fp ...", as the app prints them.
    private static (Dictionary<string, string> Own, Dictionary<string, string> Seen) Schemas(CommandOutput run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (Parse(lines, "me "), Parse(lines, "peer "));
    }

    private static Dictionary<string, string> Parse(string[] lines, string prefix) =>
        lines.Single(line => line.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
}
