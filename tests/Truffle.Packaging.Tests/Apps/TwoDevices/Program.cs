using System.Collections.Concurrent;
using Truffle;
using Truffle.Sidecar;
using TwoDevices;

// The package tests' app: it references only the Truffle package. Two devices on a loopback network of their own
// exchange a broadcast, a direct message, a request and a slice, with one line of output per step. Exit code 0 when
// every step happened within the time allowed, 1 otherwise.
var patience = TimeSpan.FromSeconds(20);
string root = Directory.CreateTempSubdirectory("truffle-two-devices-").FullName;
var nodes = new List<TruffleNode>();
try
{
    Console.WriteLine($"sidecar: {SidecarLocator.Find(null)}");
    foreach (string name in new[] { "first", "second" })
    {
        nodes.Add(await TruffleNode.StartAsync(new TruffleOptions
        {
            AppId = "package-test",
            DeviceName = name,
            StateDirectory = Path.Combine(root, name),
            Network = TruffleNetwork.Loopback,
            LoopbackDirectory = Path.Combine(root, "network"),
        }));
    }

    TruffleNode first = nodes[0], second = nodes[1];
    await ConnectedAsync(first, second);
    await ConnectedAsync(second, first);
    Console.WriteLine("connected");

    var pings = new ConcurrentBag<(int Number, bool Broadcast, string From)>();
    using var arrived = new SemaphoreSlim(0);
    second.Bus.Probe.On<Ping>((ping, context) =>
    {
        pings.Add((ping.Number, context.IsBroadcast, context.From));
        arrived.Release();
    });
    await first.Bus.Probe.Broadcast(new Ping(1));
    await first.Bus.Probe.Send(second.DeviceId, new Ping(2));
    for (int i = 0; i < 2; i++)
    {
        if (!await arrived.WaitAsync(patience))
        {
            throw new TimeoutException("the pings did not arrive");
        }
    }

    Console.WriteLine("messages: " + string.Join(", ", pings.OrderBy(p => p.Number)
        .Select(p => $"{p.Number} {(p.Broadcast ? "broadcast" : "direct")} from {(p.From == first.DeviceId ? "first" : p.From)}")));

    second.Bus.Probe.Handle((Add add, MessageContext _) => new Sum(add.A + add.B));
    Sum sum = await first.Bus.Probe.Request(second.DeviceId, new Add(2, 3), patience);
    Console.WriteLine($"request: 2 + 3 = {sum.Value}");

    var counter = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
    second.Sync.Store<Counter>().Changed += (_, change) =>
    {
        if (change.DeviceId == first.DeviceId && change.Value is { } value)
        {
            counter.TrySetResult(value.Value);
        }
    };
    first.Sync.Store<Counter>().Local = new Counter(7);
    Console.WriteLine($"slice: {await counter.Task.WaitAsync(patience)}");
    return 0;
}
catch (TimeoutException e)
{
    Console.Error.WriteLine($"timed out: {e.Message}");
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

// Subscribes, then reads the current state, so a device that connects in between is seen either way.
async Task ConnectedAsync(TruffleNode node, TruffleNode other)
{
    var found = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    node.DeviceDiscovered += (_, device) =>
    {
        if (device.Id == other.DeviceId)
        {
            found.TrySetResult();
        }
    };
    if (node.Devices.Any(device => device.Id == other.DeviceId))
    {
        found.TrySetResult();
    }

    await found.Task.WaitAsync(patience);
}
