using System.Collections.Concurrent;
using System.Diagnostics;
using Truffle;

namespace Chat;

/// <summary>
/// Three devices, each with its own sidecar process, on the loopback network: the README's first command. It exits
/// by itself: 0 when everything it shows happened (each message it sends is awaited at its recipient), 1 when
/// something did not happen within 15 s.
/// </summary>
internal static class MeshDemo
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync()
    {
        string root = Directory.CreateTempSubdirectory("truffle-demo-").FullName;
        var nodes = new List<TruffleNode>();
        var names = new ConcurrentDictionary<string, string>();
        var inbox = new Inbox();
        using var changed = new SemaphoreSlim(0);
        try
        {
            Say("demo", "three devices join a local loopback network; each runs its own truffle-sidecar");
            foreach (string name in new[] { "ana", "bo", "cy" })
            {
                TruffleNode node = await TruffleNode.StartAsync(new TruffleOptions
                {
                    AppId = "chat-demo",
                    DeviceName = name,
                    StateDirectory = Path.Combine(root, name),
                    Network = TruffleNetwork.Loopback,
                    LoopbackDirectory = Path.Combine(root, "registry"),
                });
                names[node.DeviceId] = name;
                node.DeviceDiscovered += (_, device) => { Say(name, $"discovered {device.Name}"); changed.Release(); };
                node.DeviceOffline += (_, device) => { Say(name, $"{device.Name} went offline"); changed.Release(); };
                node.RoleChanged += (_, change) =>
                {
                    Say(name, Describe(names, change.Role, change.PrimaryId, change.Term));
                    changed.Release();
                };
                node.Bus.Chat.On<ChatMessage>((message, context) =>
                {
                    Say(name, $"{NameOf(names, context.From)} says \"{message.Text}\"{(context.IsBroadcast ? " (to everyone)" : "")}");
                    inbox.Arrived(name, message.Text);
                });
                nodes.Add(node);
                Say(name, $"started as {node.Hostname}; {Describe(names, node.Role, node.PrimaryId, node.Term)}");
            }

            TruffleNode primary = await AgreedPrimaryAsync(nodes, changed);
            Say("demo", $"elected: {NameOf(names, primary.DeviceId)} is the primary in term {primary.Term}");

            TruffleNode[] secondaries = [.. nodes.Where(n => n != primary)];
            string from = NameOf(names, secondaries[0].DeviceId), to = NameOf(names, secondaries[1].DeviceId);
            Say("demo", $"{from} → {to}: a direct message between two secondaries travels through the primary");
            Task delivered = Task.WhenAll(
                inbox.Expect(to, $"hi {to}, via the primary"),
                inbox.Expect(from, "hello everyone"),
                inbox.Expect(NameOf(names, primary.DeviceId), "hello everyone"));
            await secondaries[0].Bus.Chat.Send(secondaries[1].DeviceId, new ChatMessage(from, $"hi {to}, via the primary"));
            await secondaries[1].Bus.Chat.Broadcast(new ChatMessage(to, "hello everyone"));
            await Arrival(delivered, "the chat messages");

            secondaries[1].Bus.Chat.Handle((GetHistory request, MessageContext _) => new History([new ChatMessage(to, "I keep no history")]));
            History history = await secondaries[0].Bus.Chat.Request(secondaries[1].DeviceId, new GetHistory(1), Patience);
            Say(from, $"asked {to} for its history and got: \"{history.Messages[0].Text}\"");

            Say("demo", $"stopping the primary, {NameOf(names, primary.DeviceId)}");
            var failover = Stopwatch.StartNew();
            nodes.Remove(primary);
            await primary.DisposeAsync();
            TruffleNode successor = await AgreedPrimaryAsync(nodes, changed);
            Say("demo", $"failover: {NameOf(names, successor.DeviceId)} is the primary in term {successor.Term}, " +
                        $"{failover.Elapsed.TotalMilliseconds:0} ms after the old one left");

            TruffleNode other = nodes.Single(n => n != successor);
            Task stillHere = inbox.Expect(NameOf(names, successor.DeviceId), "still here");
            await other.Bus.Chat.Send(successor.DeviceId, new ChatMessage(NameOf(names, other.DeviceId), "still here"));
            await Arrival(stillHere, "the message to the new primary");

            Say("demo", "stopping the other two");
            foreach (TruffleNode node in nodes)
            {
                await node.DisposeAsync();
            }

            nodes.Clear();
            Say("demo", "done: every message arrived, and the mesh survived its primary");
            return 0;
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"demo failed: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (TruffleNode node in nodes)
            {
                await node.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task Arrival(Task arrived, string what)
    {
        try
        {
            await arrived.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not arrive");
        }
    }

    /// <summary>Waits (on role and discovery events, never by polling) until all nodes name the same primary.</summary>
    private static async Task<TruffleNode> AgreedPrimaryAsync(List<TruffleNode> nodes, SemaphoreSlim changed)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            string? primary = nodes[0].PrimaryId;
            if (primary is not null && nodes.All(n => n.PrimaryId == primary) && nodes.SingleOrDefault(n => n.DeviceId == primary) is { } found
                && nodes.All(n => n.Devices.Count(d => d.IsOnline) == nodes.Count - 1))
            {
                return found;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("the devices did not agree on a primary");
            }
        }
    }

    private static string Describe(ConcurrentDictionary<string, string> names, MeshRole role, string? primaryId, ulong term) =>
        role == MeshRole.Primary ? $"I am the primary (term {term})"
        : primaryId is null ? $"no primary (term {term})"
        : $"secondary of {NameOf(names, primaryId)} (term {term})";

    private static string NameOf(ConcurrentDictionary<string, string> names, string deviceId) =>
        names.TryGetValue(deviceId, out string? name) ? name : deviceId[..8];

    private static void Say(string who, string what) => Console.WriteLine($"[{who,-4}] {what}");

    /// <summary>Which device got which chat text, so the demo can wait for each message it promises.</summary>
    private sealed class Inbox
    {
        private readonly ConcurrentDictionary<(string Device, string Text), TaskCompletionSource> _expected = new();

        public Task Expect(string device, string text) => Entry(device, text).Task;

        public void Arrived(string device, string text) => Entry(device, text).TrySetResult();

        private TaskCompletionSource Entry(string device, string text) =>
            _expected.GetOrAdd((device, text), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
