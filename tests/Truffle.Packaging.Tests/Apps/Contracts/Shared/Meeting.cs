using Contracts;
using Truffle;

namespace Shared;

/// <summary>
/// What both apps do around their own exchange (linked into each, compiled against each app's own <c>bus.Chat</c>):
/// start a node on the loopback network named on the command line, and meet the other app. Two processes start in
/// any order, and the bus delivers to current subscribers only, so neither may send before the other listens: each
/// subscribes first, then says <see cref="Hello"/> once it sees the other, and answers a hello it gets. A hello
/// received proves its sender listens; at most one of the two first hellos can be lost (the later one finds the
/// earlier app subscribed), and its answer or the other first hello reaches both.
/// </summary>
public static class Meeting
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Starts this app's node; <paramref name="root"/> holds the network's registry and each app's state.</summary>
    public static Task<TruffleNode> StartAsync(string name, string root) => TruffleNode.StartAsync(new TruffleOptions
    {
        AppId = "contracts-test",
        DeviceName = name,
        StateDirectory = Path.Combine(root, name),
        Network = TruffleNetwork.Loopback,
        LoopbackDirectory = Path.Combine(root, "network"),
    });

    /// <summary>The other app's device id, once it is known to listen. Call it after subscribing to everything else.</summary>
    public static async Task<string> MeetAsync(TruffleNode node, string me, string other)
    {
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable hellos = node.Bus.Chat.On<Hello>(async (hello, context, cancellationToken) =>
        {
            if (hello.From != other)
            {
                return;
            }

            if (!hello.Reply)
            {
                await node.Bus.Chat.Send(context.From, new Hello(me, Reply: true), cancellationToken);
            }

            ready.TrySetResult(context.From);
        });

        string id = await SeenAsync(node, device => device.Name == other && device.IsOnline);
        await node.Bus.Chat.Send(id, new Hello(me, Reply: false));
        await ready.Task.WaitAsync(Patience);
        return id;
    }

    /// <summary>Completes when the other app has left (said goodbye).</summary>
    public static Task LeftAsync(TruffleNode node, string id) => SeenAsync(node, device => device.Id == id && !device.IsOnline);

    // Subscribes, then reads the current list, so a change in between is seen either way.
    private static async Task<string> SeenAsync(TruffleNode node, Func<TruffleDevice, bool> wanted)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(object? sender, TruffleDevice device)
        {
            if (wanted(device))
            {
                seen.TrySetResult(device.Id);
            }
        }

        node.DeviceDiscovered += Check;
        node.DeviceUpdated += Check;
        node.DeviceOffline += Check;
        try
        {
            foreach (TruffleDevice device in node.Devices)
            {
                Check(null, device);
            }

            return await seen.Task.WaitAsync(Patience);
        }
        finally
        {
            node.DeviceDiscovered -= Check;
            node.DeviceUpdated -= Check;
            node.DeviceOffline -= Check;
        }
    }
}
