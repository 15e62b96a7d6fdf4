using System.CommandLine;

namespace Truffle.Cli.Commands;

/// <summary><c>truffle peers</c>: the devices of the mesh.</summary>
internal static class PeersCommand
{
    public static Command Create()
    {
        var command = new Command("peers", "List the mesh's devices: id, name, type, role, observer or member, metadata.");
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        await using MeshSession session = await MeshSession.JoinAsync(settings, output, cancellationToken).ConfigureAwait(false);
        if (!await output.SpinAsync("Discovering devices…", () => session.DiscoverAsync(settings.Timeout, cancellationToken)).ConfigureAwait(false))
        {
            output.Note($"truffle: not every device the network lists answered within {settings.Timeout.TotalSeconds:0.#} s; showing those that did.");
        }

        TruffleNode node = session.Node;
        TruffleDevice[] devices = [.. DeviceJson.Ordered(node.Devices)];
        if (output.Json)
        {
            foreach (TruffleDevice device in devices)
            {
                output.JsonLine(DeviceJson.From(device, node.PrimaryId));
            }
        }
        else if (devices.Length == 0)
        {
            output.Line($"No devices of app '{settings.AppId}' found.");
        }
        else
        {
            output.Write(DeviceJson.Table(devices, node.PrimaryId));
        }

        return ExitCodes.Success;
    }
}
