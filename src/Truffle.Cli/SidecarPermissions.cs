using Truffle.Sidecar;

namespace Truffle.Cli;

/// <summary>
/// <c>dotnet tool install</c> extracts the tool's sidecars without their execute bit (NuGet keeps no Unix modes), so
/// the tool gives it back to the one it is about to use when that one came with it.
/// </summary>
internal static class SidecarPermissions
{
    public static void EnsureExecutable(string? explicitPath)
    {
        if (OperatingSystem.IsWindows() || explicitPath is not null || Environment.GetEnvironmentVariable(SidecarLocator.EnvironmentVariable) is not null)
        {
            return;
        }

        string path;
        try
        {
            path = SidecarLocator.Find(null);
        }
        catch (SidecarException)
        {
            return; // starting the node reports the missing sidecar with its fix
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0 && path.StartsWith(AppContext.BaseDirectory, StringComparison.Ordinal))
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }
}
