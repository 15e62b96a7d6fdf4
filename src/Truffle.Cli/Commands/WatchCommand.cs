using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Truffle.Cli.Commands;

/// <summary><c>truffle watch NS</c>: messages of a namespace as they arrive, until Ctrl+C or <c>--count</c>.</summary>
internal static class WatchCommand
{
    private static readonly Argument<string> Namespace = new("NS") { Description = "The namespace to watch." };

    private static readonly Option<string?> Type = new("--type") { Description = "Only messages of this type." };

    private static readonly Option<int?> Count = new("--count") { Description = "Stop after this many messages." };

    public static Command Create()
    {
        var command = new Command(
            "watch",
            "Print the messages of a namespace as they arrive (payloads as JSON): broadcasts, and messages sent to this tool. Ctrl+C stops.")
        {
            Namespace, Type, Count,
        };
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        string ns = parse.GetValue(Namespace)!;
        string? type = parse.GetValue(Type);
        int? count = parse.GetValue(Count);
        if (count is <= 0)
        {
            throw new CliException(ExitCodes.Usage, "--count must be at least 1.");
        }

        await using MeshSession session = await MeshSession.JoinAsync(settings, output, cancellationToken).ConfigureAwait(false);
        TruffleNode node = session.Node;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int seen = 0;
        using IDisposable subscription = node.Bus.Subscribe(ns, type, (message, _) =>
        {
            Print(output, node, message);
            if (Interlocked.Increment(ref seen) == count)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });

        await output.SpinAsync("Discovering devices…", () => session.DiscoverAsync(settings.Timeout, cancellationToken)).ConfigureAwait(false);
        output.Note($"truffle: watching {ns}{(type is null ? "" : "/" + type)} of app '{settings.AppId}' as {node.DeviceId}; Ctrl+C stops.");
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static void Print(Output output, TruffleNode node, InboundMessage message)
    {
        string payload = JsonPayload.ToJson(message.Payload);
        string? name = node.Devices.FirstOrDefault(d => d.Id == message.From)?.Name;
        if (output.Json)
        {
            output.JsonLine(new JsonObject
            {
                ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["from"] = message.From,
                ["fromName"] = name,
                ["namespace"] = message.Namespace,
                ["type"] = message.Type,
                ["broadcast"] = message.IsBroadcast,
                ["payload"] = JsonNode.Parse(payload),
            });
        }
        else
        {
            string to = message.IsBroadcast ? "all" : "me";
            output.Line($"{DateTimeOffset.Now:HH:mm:ss.fff} {name ?? "?"} ({message.From}) → {to} {message.Namespace}/{message.Type} {payload}");
        }
    }
}
