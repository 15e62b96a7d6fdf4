using System.CommandLine;

namespace Truffle.Cli.Commands;

/// <summary>Runs a command's body with the common settings, and turns what it throws into an exit code.</summary>
internal static class CommandRunner
{
    public static void SetAction(Command command, Func<ParseResult, CliSettings, Output, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            bool verbose = parse.GetValue(CommonOptions.Verbose);
            try
            {
                CliSettings settings = CliSettings.From(parse);
                return await body(parse, settings, Output.ForProcess(settings.Json), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: the command was asked to stop, and did.
                return ExitCodes.Success;
            }
#pragma warning disable CA1031 // the top of the tool: every failure becomes a documented exit code
            catch (Exception e)
#pragma warning restore CA1031
            {
                return ErrorReport.Report(e, Console.Error, verbose);
            }
        });
}
