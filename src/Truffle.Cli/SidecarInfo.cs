using Truffle.Sidecar;
using System.Diagnostics;

namespace Truffle.Cli;

/// <summary>Which sidecar the tool would use, why, and what it says about itself (<c>truffle-sidecar --version</c>).</summary>
internal sealed record SidecarInfo(string? Path, string Reason, string? Version, string? Problem)
{
    public static async Task<SidecarInfo> ProbeAsync(string? explicitPath, CancellationToken cancellationToken)
    {
        string reason = explicitPath is not null ? "--sidecar"
            : Environment.GetEnvironmentVariable(SidecarLocator.EnvironmentVariable) is not null ? "$" + SidecarLocator.EnvironmentVariable
            : "beside the tool";
        string path;
        try
        {
            SidecarPermissions.EnsureExecutable(explicitPath);
            path = SidecarLocator.Find(explicitPath);
        }
        catch (SidecarException e)
        {
            return new SidecarInfo(null, reason, null, e.Message);
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("the process did not start");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(5));
            string version = (await process.StandardOutput.ReadToEndAsync(deadline.Token).ConfigureAwait(false)).Trim();
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return process.ExitCode == 0 && version.Length > 0
                ? new SidecarInfo(path, reason, version, null)
                : new SidecarInfo(path, reason, null, $"`{path} --version` exited with {process.ExitCode}");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or OperationCanceledException)
        {
            return new SidecarInfo(path, reason, null, $"`{path} --version` failed: {e.Message}");
        }
    }
}
