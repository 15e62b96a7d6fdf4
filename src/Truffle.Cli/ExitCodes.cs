namespace Truffle.Cli;

/// <summary>The tool's exit codes (docs/cli.md). Scripts rely on them: never renumber.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>Anything else: an unexpected error, or a <c>doctor</c> check that failed.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown option, a missing argument, bad JSON.</summary>
    public const int Usage = 2;

    /// <summary>No device of the mesh matches the DEVICE argument, or it is not reachable.</summary>
    public const int DeviceNotFound = 3;

    /// <summary>The mesh, or a reply, did not come within <c>--timeout</c>.</summary>
    public const int Timeout = 4;

    /// <summary>The device has no handler for the request's namespace and type.</summary>
    public const int NoResponder = 5;

    /// <summary>The device's handler threw; its error is printed.</summary>
    public const int RemoteError = 6;

    /// <summary>The sidecar or the network failed: not found, did not start, refused the node.</summary>
    public const int NetworkFailure = 7;
}
