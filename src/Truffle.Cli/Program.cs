using System.CommandLine;
using Truffle.Cli;
using Truffle.Cli.Commands;

// Every failure is one line on stderr and a documented exit code (ExitCodes); --verbose adds the stack trace.
// Named "truffle" rather than after the executable: an installed tool runs as Truffle.Cli.dll under the shim.
Command root = new("truffle", "See and drive a Truffle mesh from a terminal, as an observer that never takes part in its election.")
{
    new System.CommandLine.Help.HelpOption(),
    new VersionOption(),
    PeersCommand.Create(),
    StatusCommand.Create(),
    WatchCommand.Create(),
    SendCommand.Create(),
    RequestCommand.Create(),
    DevCommand.Create(),
    DemoCommand.Create(),
    DoctorCommand.Create(),
};
CommonOptions.AddTo(root);

ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    // A mistyped command also leaves the root without one: name the word that was not understood, not the missing command.
    string problem = parse.UnmatchedTokens.Count > 0 ? $"Unrecognized command or argument '{parse.UnmatchedTokens[0]}'." : parse.Errors[0].Message;
    Console.Error.WriteLine($"truffle: {problem} (see truffle --help)");
    return ExitCodes.Usage;
}

return await parse.InvokeAsync();
