using System.CommandLine;

namespace Truffle.Cli;

/// <summary>The options every command that joins a mesh takes (and <c>--json</c>, <c>--verbose</c> everywhere).</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> App = new("--app")
    {
        Description = "The app id of the mesh (the AppId its devices use). Default: $TRUFFLE_APP.",
        Recursive = true,
    };

    public static readonly Option<string> Network = new Option<string>("--network")
    {
        Description = "The network to join: tailscale or loopback (the local development network).",
        DefaultValueFactory = _ => "tailscale",
        Recursive = true,
    }.AcceptOnlyFromAmong("tailscale", "loopback");

    public static readonly Option<string?> LoopbackDir = new("--loopback-dir")
    {
        Description = "The loopback network's registry directory (what `truffle dev` prints); implies --network loopback.",
        Recursive = true,
    };

    public static readonly Option<string?> Sidecar = new("--sidecar")
    {
        Description = "The truffle-sidecar binary. Default: $TRUFFLE_SIDECAR, else the one beside the tool.",
        Recursive = true,
    };

    public static readonly Option<string?> StateDir = new("--state-dir")
    {
        Description = "The tool's own state directory (never the app's). Default: a fresh temporary one on loopback, ~/.local/share/truffle-cli/APP on Tailscale.",
        Recursive = true,
    };

    public static readonly Option<double> Timeout = new("--timeout")
    {
        Description = "Seconds to wait for the mesh, or for a reply.",
        DefaultValueFactory = _ => 10,
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON object per line on stdout and nothing else, for scripts.",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print stack traces and the runtime's warnings.",
        Recursive = true,
    };

    public static void AddTo(Command root)
    {
        foreach (Option option in new Option[] { App, Network, LoopbackDir, Sidecar, StateDir, Timeout, Json, Verbose })
        {
            root.Options.Add(option);
        }
    }
}

/// <summary>The common options of one invocation, read and checked.</summary>
internal sealed record CliSettings(
    string? AppId, TruffleNetwork Network, string? LoopbackDirectory, string? SidecarPath, string? StateDirectory,
    TimeSpan Timeout, bool Json, bool Verbose)
{
    public static CliSettings From(ParseResult parse)
    {
        string? loopback = parse.GetValue(CommonOptions.LoopbackDir);
        bool loopbackNetwork = loopback is not null || parse.GetValue(CommonOptions.Network) == "loopback";
        double seconds = parse.GetValue(CommonOptions.Timeout);
        if (!(seconds > 0) || seconds > 86_400)
        {
            throw new CliException(ExitCodes.Usage, $"--timeout must be a number of seconds above 0 (got {seconds}).");
        }

        return new CliSettings(
            parse.GetValue(CommonOptions.App) ?? Environment.GetEnvironmentVariable("TRUFFLE_APP"),
            loopbackNetwork ? TruffleNetwork.Loopback : TruffleNetwork.Tailscale,
            loopback,
            parse.GetValue(CommonOptions.Sidecar),
            parse.GetValue(CommonOptions.StateDir),
            TimeSpan.FromSeconds(seconds),
            parse.GetValue(CommonOptions.Json),
            parse.GetValue(CommonOptions.Verbose));
    }

    /// <summary>The app id, which every command that joins a mesh needs.</summary>
    public string RequireApp() => AppId ?? throw new CliException(ExitCodes.Usage, "Which mesh? Pass --app ID (the AppId of its devices) or set TRUFFLE_APP.");
}
