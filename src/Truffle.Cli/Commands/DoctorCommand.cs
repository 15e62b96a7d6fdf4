using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Truffle.Cli.Commands;

/// <summary><c>truffle doctor</c>: checks what the tool and a local mesh need, and says how to fix what fails.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the setup: the sidecar (which one and why, version, backend), loopback addresses, the state directory, the port.");
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        SidecarInfo sidecar = await SidecarInfo.ProbeAsync(settings.SidecarPath, cancellationToken).ConfigureAwait(false);
        var checks = new List<Check>
        {
            new("sidecar", sidecar.Version is not null,
                sidecar.Version is not null ? $"{sidecar.Path} ({sidecar.Reason}): {sidecar.Version}" : sidecar.Problem ?? "not usable",
                "Install the tool from its package (it carries the sidecar), or pass --sidecar PATH / set TRUFFLE_SIDECAR to a truffle-sidecar binary."),
        };
        if (sidecar.Version is { } version && settings.Network == TruffleNetwork.Tailscale && !version.Contains("tsnet", StringComparison.Ordinal))
        {
            checks.Add(new("tailscale backend", false, $"this sidecar has no Tailscale backend ({version})",
                "Use --network loopback, or a sidecar built from sidecar/tsnet (docs/packaging.md)."));
        }

        checks.Add(Bind("loopback addresses", new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0),
            "The loopback network gives each device its own 127.x.y.z address; on macOS add them with `sudo ifconfig lo0 alias 127.0.0.2 up`."));
        checks.Add(Bind("port 9417", new IPEndPoint(IPAddress.Loopback, 9417),
            "Another process listens on 127.0.0.1:9417; stop it (`ss -ltnp 'sport = :9417'` shows which)."));
        checks.Add(Writable(settings));

        foreach (Check check in checks)
        {
            if (output.Json)
            {
                output.JsonLine(new JsonObject { ["check"] = check.Name, ["ok"] = check.Ok, ["detail"] = check.Detail, ["fix"] = check.Ok ? null : check.Fix });
            }
            else
            {
                output.Line($"{(check.Ok ? "ok  " : "FAIL")} {check.Name}: {check.Detail}{(check.Ok ? "" : $"\n     fix: {check.Fix}")}");
            }
        }

        return checks.All(c => c.Ok) ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static Check Bind(string name, IPEndPoint endpoint, string fix)
    {
        try
        {
            using var listener = new TcpListener(endpoint);
            listener.Start();
            return new Check(name, true, $"{endpoint} can be bound", fix);
        }
        catch (SocketException e)
        {
            return new Check(name, false, $"{endpoint}: {e.Message}", fix);
        }
    }

    private static Check Writable(CliSettings settings)
    {
        string directory = settings.StateDirectory ?? Path.GetTempPath();
        string probe = Path.Combine(directory, $".truffle-doctor-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return new Check("state directory", true, $"{directory} is writable", "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Check("state directory", false, $"{directory}: {e.Message}", "Pass --state-dir with a directory you can write.");
        }
    }

    private sealed record Check(string Name, bool Ok, string Detail, string Fix);
}
