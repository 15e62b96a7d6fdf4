namespace Truffle.Cli;

/// <summary>Turns what a command threw into the documented exit code and one line on stderr.</summary>
internal static class ErrorReport
{
    /// <summary>The exit code for <paramref name="error"/>, after writing it to <paramref name="stderr"/>.</summary>
    public static int Report(Exception error, TextWriter stderr, bool verbose)
    {
        (int code, string message) = error switch
        {
            CliException e => (e.ExitCode, e.Message),
            DeviceUnreachableException e => (ExitCodes.DeviceNotFound, e.Message),
            TimeoutException e => (ExitCodes.Timeout, e.Message),
            NoResponderException e => (ExitCodes.NoResponder, e.Message),
            RemoteHandlerException e => (ExitCodes.RemoteError, e.Message),
            SidecarException e => (ExitCodes.NetworkFailure, e.Message),
            TruffleException e => (ExitCodes.NetworkFailure, e.Message),
            IOException e => (ExitCodes.NetworkFailure, e.Message),
            ArgumentException e => (ExitCodes.Usage, e.Message),
            _ => (ExitCodes.Failure, $"{error.GetType().Name}: {error.Message}"),
        };

        stderr.WriteLine("truffle: " + OneLine(message));
        if (verbose)
        {
            stderr.WriteLine(error.ToString());
        }

        return code;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
