namespace Truffle.Packaging.Tests;

/// <summary>
/// A copy of an app from <c>Apps/</c> in the run's folder, outside the repository: it sees the run's NuGet.config
/// (the feed and nuget.org) and packages folder, and none of the repository's build files.
/// </summary>
public sealed class ScratchApp
{
    private static readonly TimeSpan DotnetTimeout = TimeSpan.FromMinutes(10);
    private readonly PackageFeed _feed;

    private ScratchApp(PackageFeed feed, string directory)
    {
        _feed = feed;
        Directory = directory;
    }

    /// <summary>The app's folder.</summary>
    public string Directory { get; }

    internal static ScratchApp Copy(PackageFeed feed, string name, string folder)
    {
        string source = Path.Combine(PackageFeed.RepositoryRoot, "tests", "Truffle.Packaging.Tests", "Apps", name);
        string target = Path.Combine(feed.Root, folder);
        foreach (string file in System.IO.Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            string copy = Path.Combine(target, relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            string text = File.ReadAllText(file);
            File.WriteAllText(copy, Path.GetExtension(file) is ".csproj" or ".props" or ".targets"
                ? text.Replace("TRUFFLE_VERSION", feed.Version, StringComparison.Ordinal)
                : text);
        }

        return new ScratchApp(feed, target);
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in the app's folder; see <see cref="Commands.RunAsync"/>.</summary>
    public Task<CommandOutput> DotnetAsync(params string[] arguments) =>
        Commands.RunAsync("dotnet", arguments, Directory, DotnetTimeout, _feed.DotnetEnvironment);

    /// <summary>Runs a program the app built or published, for at most two minutes.</summary>
    public Task<CommandOutput> RunAsync(string executable, params string[] arguments) =>
        Commands.RunAsync(executable, arguments, Directory, TimeSpan.FromMinutes(2), _feed.DotnetEnvironment);

    /// <summary>A path inside the app's folder.</summary>
    public string PathOf(params string[] relative) => Path.Combine([Directory, .. relative]);
}
