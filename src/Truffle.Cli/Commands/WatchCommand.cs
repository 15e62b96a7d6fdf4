using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Truffle.Cli.Commands;

/// <summary>
/// <c>truffle watch [NS] [--store S]</c>: messages of a namespace and slice changes of a store as they arrive, until
/// Ctrl+C or <c>--count</c>.
/// </summary>
internal static class WatchCommand
{
    private static readonly Argument<string?> Namespace = new("NS") { Description = "The namespace to watch.", Arity = ArgumentArity.ZeroOrOne };

    private static readonly Option<string?> Type = new("--type") { Description = "Only messages of this type (needs NS)." };

    private static readonly Option<string?> Store = new("--store") { Description = "Also print the slice changes of this synced store (by store id)." };

    private static readonly Option<int?> Count = new("--count") { Description = "Stop after this many messages and slice changes." };

    public static Command Create()
    {
        var command = new Command(
            "watch",
            "Print the messages of a namespace (broadcasts, and messages sent to this tool) and the slice changes of a synced store as they arrive, payloads as JSON. Ctrl+C stops.")
        {
            Namespace, Type, Store, Count,
        };
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        string? ns = parse.GetValue(Namespace);
        string? type = parse.GetValue(Type);
        string? store = parse.GetValue(Store);
        int? count = parse.GetValue(Count);
        if (count is <= 0)
        {
            throw new CliException(ExitCodes.Usage, "--count must be at least 1.");
        }

        if (ns is null && store is null)
        {
            throw new CliException(ExitCodes.Usage, "Name a namespace (NS), a store (--store S), or both.");
        }

        if (ns is null && type is not null)
        {
            throw new CliException(ExitCodes.Usage, "--type filters the messages of a namespace: name the namespace (NS) too.");
        }

        await using MeshSession session = await MeshSession.JoinAsync(settings, output, cancellationToken).ConfigureAwait(false);
        TruffleNode node = session.Node;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int seen = 0;
        var gate = new Lock(); // one line at a time: messages and slice changes arrive on different threads
        void Seen(Action print)
        {
            lock (gate)
            {
                if (done.Task.IsCompleted)
                {
                    return;
                }

                print();
                if (++seen == count)
                {
                    done.TrySetResult();
                }
            }
        }

        using IDisposable? subscription = ns is null ? null : node.Bus.Subscribe(ns, type, (message, _) =>
        {
            Seen(() => PrintMessage(output, node, message));
            return ValueTask.CompletedTask;
        });

        // Opened before discovery, so the snapshots devices send this tool when they meet it are kept, not dropped.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task slices = store is null ? Task.CompletedTask : ReadSlicesAsync(node.Sync.RawStore(store), node, output, Seen, stopReading.Token);

        await output.SpinAsync("Discovering devices…", () => session.DiscoverAsync(settings.Timeout, cancellationToken)).ConfigureAwait(false);
        string what = string.Join(" and ", new[] { ns is null ? null : ns + (type is null ? "" : "/" + type), store is null ? null : "store " + store }.OfType<string>());
        output.Note($"truffle: watching {what} of app '{settings.AppId}' as {node.DeviceId}; Ctrl+C stops.");
        try
        {
            // The slice reader ends early only when sync stops under it (or fails): then stop too, with its error.
            Task stop = store is null ? done.Task : Task.WhenAny(done.Task, slices).Unwrap();
            await stop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
        }

        await slices.ConfigureAwait(false); // a reader that failed (rather than stopped) reports its error
        return ExitCodes.Success;
    }

    private static async Task ReadSlicesAsync(RawSyncedStore store, TruffleNode node, Output output, Action<Action> seen, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (RawSliceChanged change in store.ChangesAsync(cancellationToken).ConfigureAwait(false))
            {
                seen(() => PrintSlice(output, node, change));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: --count reached or Ctrl+C.
        }
    }

    private static void PrintMessage(Output output, TruffleNode node, InboundMessage message)
    {
        string payload = JsonPayload.ToJson(message.Payload);
        string? name = node.Devices.FirstOrDefault(d => d.Id == message.From)?.Name;
        if (output.Json)
        {
            output.JsonLine(new JsonObject
            {
                ["time"] = Now(),
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

    private static void PrintSlice(Output output, TruffleNode node, RawSliceChanged change)
    {
        string? slice = change.Value is { } value ? JsonPayload.ToJson(value) : null;
        string? name = node.Devices.FirstOrDefault(d => d.Id == change.DeviceId)?.Name;
        if (output.Json)
        {
            var changed = new JsonArray();
            foreach (string member in change.ChangedMembers)
            {
                changed.Add(member);
            }

            output.JsonLine(new JsonObject
            {
                ["time"] = Now(),
                ["store"] = change.StoreId,
                ["device"] = change.DeviceId,
                ["deviceName"] = name,
                ["changed"] = changed,
                ["slice"] = slice is null ? null : JsonNode.Parse(slice),
            });
        }
        else
        {
            string what = slice is null ? "removed" : $"changed {string.Join(",", change.ChangedMembers)} {slice}";
            output.Line($"{DateTimeOffset.Now:HH:mm:ss.fff} {name ?? "?"} ({change.DeviceId}) store {change.StoreId}: {what}");
        }
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
