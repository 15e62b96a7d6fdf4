using System.CommandLine;
using System.Text.Json.Nodes;

namespace Truffle.Cli.Commands;

/// <summary><c>truffle send DEVICE NS TYPE JSON</c> and <c>truffle send --all NS TYPE JSON</c>.</summary>
internal static class SendCommand
{
    private static readonly Argument<string[]> Arguments = new("DEVICE NS TYPE JSON")
    {
        Description = "The device (id, id prefix or name; left out with --all), the namespace, the type, and the payload as JSON.",
        Arity = new ArgumentArity(3, 4),
    };

    private static readonly Option<bool> All = new("--all") { Description = "Broadcast to every device instead of sending to one." };

    public static Command Create()
    {
        var command = new Command("send", "Send one message: JSON in, the same MessagePack a generated formatter writes on the wire.")
        {
            Arguments, All,
        };
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        string[] values = parse.GetValue(Arguments)!;
        bool all = parse.GetValue(All);
        if (values.Length != (all ? 3 : 4))
        {
            throw new CliException(ExitCodes.Usage, all
                ? "With --all, give NS TYPE JSON (no device)."
                : "Give DEVICE NS TYPE JSON, or --all NS TYPE JSON.");
        }

        string? target = all ? null : values[0];
        (string ns, string type, string json) = (values[^3], values[^2], values[^1]);
        byte[] payload = JsonPayload.ToMessagePack(json);
        await using MeshSession session = await MeshSession.JoinAsync(settings, output, cancellationToken).ConfigureAwait(false);
        await output.SpinAsync("Discovering devices…", () => session.DiscoverAsync(settings.Timeout, cancellationToken)).ConfigureAwait(false);
        TruffleNode node = session.Node;
        TruffleDevice? device = target is null ? null : DeviceResolver.Resolve(node, target);
        if (device is null)
        {
            await node.Bus.BroadcastAsync(ns, type, payload, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await node.Bus.SendAsync(device.Id, ns, type, payload, cancellationToken).ConfigureAwait(false);
        }

        if (output.Json)
        {
            output.JsonLine(new JsonObject { ["sent"] = true, ["to"] = device?.Id ?? "*", ["from"] = node.DeviceId, ["namespace"] = ns, ["type"] = type });
        }
        else
        {
            output.Line($"sent {ns}/{type} to {(device is null ? "every device" : $"{device.Name} ({device.Id})")} from {node.DeviceId}");
        }

        return ExitCodes.Success;
    }
}
