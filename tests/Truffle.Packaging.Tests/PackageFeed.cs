using System.Collections.Concurrent;
using System.Reflection;
using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// One pack per test run, shared by every package test: <c>scripts/pack.sh</c> into a feed in a temporary folder
/// outside the repository. The folder also holds the run's <c>NuGet.config</c> (the feed and nuget.org, nothing else)
/// and a packages folder of its own, so a restore never takes a Truffle package from an earlier run or from the
/// user's cache. Set <c>TRUFFLE_TEST_FEED</c> to a folder packed already to skip the pack while writing a test.
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, Lazy<ScratchApp>> _apps = new(StringComparer.Ordinal);

    /// <summary>The repository this test project was built from.</summary>
    public static string RepositoryRoot { get; } = typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>The run's temporary folder; apps are copied into it.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("truffle-packages-").FullName;

    /// <summary>The folder of packed packages.</summary>
    public string Feed { get; private set; } = "";

    /// <summary>The version every package was packed with.</summary>
    public string Version { get; private set; } = "";

    /// <summary>The run's own NuGet packages folder.</summary>
    public string Packages => Path.Combine(Root, "packages");

    /// <summary>The environment of every <c>dotnet</c> command of a package test.</summary>
    public IReadOnlyDictionary<string, string?> DotnetEnvironment => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["NUGET_PACKAGES"] = Packages, // wins over any globalPackagesFolder setting and over the user's cache
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "1",
        ["MSBUILDTERMINALLOGGER"] = "off",
        ["TRUFFLE_SIDECAR"] = null, // the apps must find the packaged sidecar by themselves
    };

    /// <summary>A package file of the feed, by id.</summary>
    public string Package(string id, string extension = ".nupkg") => Path.Combine(Feed, $"{id}.{Version}{extension}");

    /// <summary>
    /// The app under <c>Apps/<paramref name="name"/>/</c>, copied once per run into <see cref="Root"/> with every
    /// <c>TRUFFLE_VERSION</c> in its project files replaced by <see cref="Version"/>; into a folder named
    /// <paramref name="copy"/> instead, for a second copy of one app (another version of it).
    /// </summary>
    public ScratchApp App(string name, string? copy = null) =>
        _apps.GetOrAdd(copy ?? name, c => new Lazy<ScratchApp>(() => ScratchApp.Copy(this, name, c))).Value;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        string? given = Environment.GetEnvironmentVariable("TRUFFLE_TEST_FEED");
        Feed = string.IsNullOrEmpty(given) ? Path.Combine(Root, "feed") : Path.GetFullPath(given);
        if (string.IsNullOrEmpty(given))
        {
            (await Commands.RunAsync("bash", [Path.Combine(RepositoryRoot, "scripts", "pack.sh"), "--output", Feed], RepositoryRoot, PackTimeout))
                .Succeeded();
        }

        const string prefix = "Truffle.Sidecar.";
        string sidecar = Path.GetFileNameWithoutExtension(Directory.GetFiles(Feed, prefix + "*.nupkg").Single());
        Version = sidecar[prefix.Length..];
        File.WriteAllText(Path.Combine(Root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="truffle-test-feed" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="truffle-test-feed">
                  <package pattern="Truffle" />
                  <package pattern="Truffle.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}
