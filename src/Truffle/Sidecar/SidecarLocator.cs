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
    /// variable, else <c>truffle-sidecar</c> in the application's directory; the first that exists wins.
    /// </summary>
    /// <exception cref="SidecarException">No candidate exists (code <see cref="SidecarException.NotFoundCode"/>); the
    /// message names every path searched and how to build the sidecar.</exception>
    public static string Find(string? explicitPath)
    {
        var searched = new List<string>(3);
        foreach (string? candidate in new[]
        {
            explicitPath,
            Environment.GetEnvironmentVariable(EnvironmentVariable),
            Path.Combine(AppContext.BaseDirectory, BinaryName),
        })
        {
            if (string.IsNullOrWhiteSpace(candidate))
            {
                continue;
            }

            string full = Path.GetFullPath(candidate);
            if (File.Exists(full))
            {
                return full;
            }

            searched.Add(full);
        }

        string target = Path.Combine(AppContext.BaseDirectory, BinaryName);
        throw new SidecarException(
            SidecarException.NotFoundCode,
            $"The Truffle sidecar was not found. Searched: {string.Join(", ", searched)}. " +
            $"Build it with `cd sidecar && go build -o {target} ./cmd/truffle-sidecar` (Go 1.19+), or pass its path " +
            $"explicitly or in the {EnvironmentVariable} environment variable.");
    }
}
