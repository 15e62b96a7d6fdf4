using System.Runtime.InteropServices;

namespace Truffle.Sidecar;

/// <summary>Finds the <c>truffle-sidecar</c> binary.</summary>
public static class SidecarLocator
{
    /// <summary>The environment variable that names the sidecar binary.</summary>
    public const string EnvironmentVariable = "TRUFFLE_SIDECAR";

    /// <summary>The binary's file name next to the application.</summary>
    public static string BinaryName => OperatingSystem.IsWindows() ? "truffle-sidecar.exe" : "truffle-sidecar";

    /// <summary>
    /// The runtime identifier of this process's platform (<c>linux-x64</c>, <c>osx-arm64</c>, <c>win-x64</c>, ...):
    /// the folder <c>runtimes/{rid}/native/</c> in which the Truffle.Sidecar package puts the binary for a build
    /// without a runtime identifier.
    /// </summary>
    public static string RuntimeIdentifier { get; } = CurrentRuntimeIdentifier();

    /// <summary>
    /// The sidecar binary: <paramref name="explicitPath"/> if given, else the <c>TRUFFLE_SIDECAR</c> environment
    /// variable if set, else <c>truffle-sidecar</c> in the application's directory (where a build or publish for a
    /// runtime identifier puts the one from the Truffle.Sidecar package, and where this repository's own build puts
    /// the one it builds with Go), else <c>runtimes/{rid}/native/truffle-sidecar</c> in the application's directory
    /// (where a build without a runtime identifier, such as <c>dotnet run</c>, puts the package's binaries). An
    /// explicit path or the variable is the one used: one that does not exist is an error, never a silent fall back
    /// to another binary.
    /// </summary>
    /// <exception cref="SidecarException">No binary is at the chosen path, or at either place in the application's
    /// directory (code <see cref="SidecarException.NotFoundCode"/>); the message names the paths and what to do.</exception>
    public static string Find(string? explicitPath) =>
        FindIn(explicitPath, Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory, RuntimeIdentifier);

    /// <summary><see cref="Find(string?)"/> with its inputs given, for tests.</summary>
    internal static string FindIn(string? explicitPath, string? fromEnvironment, string appDirectory, string runtimeIdentifier)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return Existing(explicitPath, "the explicit sidecar path, TruffleOptions.SidecarPath", "Check the path, or leave it unset");
        }

        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Existing(fromEnvironment, $"the {EnvironmentVariable} environment variable", "Check the path, or unset the variable");
        }

        string beside = Path.GetFullPath(Path.Combine(appDirectory, BinaryName));
        string packaged = Path.GetFullPath(Path.Combine(appDirectory, "runtimes", runtimeIdentifier, "native", BinaryName));
        if (File.Exists(beside))
        {
            return beside;
        }

        if (File.Exists(packaged))
        {
            return packaged;
        }

        throw new SidecarException(
            SidecarException.NotFoundCode,
            $"The Truffle sidecar was not found at {beside} or {packaged}. The Truffle package brings it through its " +
            $"dependency Truffle.Sidecar for linux-x64, linux-arm64, osx-x64, osx-arm64, win-x64 and win-arm64: build " +
            $"or publish the app with that package restored (a build for a runtime it lacks warns TRFSC001). This " +
            $"platform is {runtimeIdentifier}; on one the package lacks, set the {EnvironmentVariable} environment " +
            $"variable or TruffleOptions.SidecarPath to a truffle-sidecar built for it.");
    }

    private static string Existing(string path, string source, string advice)
    {
        string full = Path.GetFullPath(path);
        return File.Exists(full)
            ? full
            : throw new SidecarException(
                SidecarException.NotFoundCode,
                $"The Truffle sidecar was not found at {full} ({source}). {advice} to use the one the Truffle package " +
                $"puts beside the app.");
    }

    private static string CurrentRuntimeIdentifier()
    {
        string os = OperatingSystem.IsWindows() ? "win"
            : OperatingSystem.IsMacOS() ? "osx"
            : OperatingSystem.IsLinux() ? "linux"
            : OperatingSystem.IsFreeBSD() ? "freebsd"
            : RuntimeInformation.OSDescription.Split(' ')[0].ToLowerInvariant();
        string architecture = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        return $"{os}-{architecture}";
    }
}
