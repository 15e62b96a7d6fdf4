namespace Truffle.Sidecar;

/// <summary>Finds the <c>truffle-sidecar</c> binary.</summary>
public static class SidecarLocator
{
    /// <summary>The environment variable that names the sidecar binary.</summary>
    public const string EnvironmentVariable = "TRUFFLE_SIDECAR";

    /// <summary>The binary's file name next to the application.</summary>
    public static string BinaryName => OperatingSystem.IsWindows() ? "truffle-sidecar.exe" : "truffle-sidecar";

    /// <summary>
    /// The sidecar binary: <paramref name="explicitPath"/> if given, else the <c>TRUFFLE_SIDECAR</c> environment
    /// variable if set, else <c>truffle-sidecar</c> in the application's directory (where building a project that
    /// references Truffle puts it when Go is installed). The first one given is the one used: an explicit path
    /// that does not exist is an error, never a silent fall back to another binary.
    /// </summary>
    /// <exception cref="SidecarException">The chosen path does not exist (code <see cref="SidecarException.NotFoundCode"/>);
    /// the message names it, says where it came from, and how to build the sidecar.</exception>
    public static string Find(string? explicitPath)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        (string path, string source) = !string.IsNullOrWhiteSpace(explicitPath)
            ? (explicitPath, "the explicit sidecar path")
            : !string.IsNullOrWhiteSpace(fromEnvironment)
                ? (fromEnvironment, $"the {EnvironmentVariable} environment variable")
                : (Path.Combine(AppContext.BaseDirectory, BinaryName), "the application directory");

        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return full;
        }

        throw new SidecarException(
            SidecarException.NotFoundCode,
            $"The Truffle sidecar was not found at {full} ({source}). " +
            $"Build it with `cd sidecar && go build -o {full} ./cmd/truffle-sidecar` (Go 1.19+; building a project " +
            $"that references Truffle does this when Go is installed), or give its path explicitly or in the " +
            $"{EnvironmentVariable} environment variable.");
    }
}
