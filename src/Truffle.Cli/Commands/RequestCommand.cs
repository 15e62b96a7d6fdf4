using System.CommandLine;
using System.Text.Json.Nodes;

namespace Truffle.Cli.Commands;

/// <summary><c>truffle request DEVICE NS TYPE JSON</c>: one request, its reply printed as JSON.</summary>
internal static class RequestCommand
{
    private static readonly Argument<string> Device = new("DEVICE") { Description = "The device: its id, an id prefix, or its name." };
    private static readonly Argument<string> Namespace = new("NS") { Description = "The namespace." };
    private static readonly Argument<string> Type = new("TYPE") { Description = "The request type." };
    private static readonly Argument<string> Json = new("JSON") { Description = "The request as JSON." };

    public static Command Create()
    {
        var command = new Command(
            "request",
            "Send one request and print the reply as JSON. Exit codes tell a timeout, no responder and a remote error apart.")
        {
            Device, Namespace, Type, Json,
        };
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        byte[] payload = JsonPayload.ToMessagePack(parse.GetValue(Json)!);
        await using MeshSession session = await MeshSession.JoinAsync(settings, output, cancellationToken).ConfigureAwait(false);
        await output.SpinAsync("Discovering devices…", () => session.DiscoverAsync(settings.Timeout, cancellationToken)).ConfigureAwait(false);
        TruffleDevice device = DeviceResolver.Resolve(session.Node, parse.GetValue(Device)!);
        ReadOnlyMemory<byte> reply = await output.SpinAsync(
            $"Waiting for {device.Name}…",
            () => session.Node.Bus.RequestAsync(device.Id, parse.GetValue(Namespace)!, parse.GetValue(Type)!, payload, settings.Timeout, cancellationToken).AsTask())
            .ConfigureAwait(false);

        string json = JsonPayload.ToJson(reply);
        if (output.Json)
        {
            output.JsonLine(new JsonObject { ["from"] = device.Id, ["reply"] = JsonNode.Parse(json) });
        }
        else
        {
            output.Line(json);
        }

        return ExitCodes.Success;
    }
}
