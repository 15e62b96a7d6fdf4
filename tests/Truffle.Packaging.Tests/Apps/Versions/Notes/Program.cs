using Notes;
using Truffle;

// One version of the Notes app: `Notes NAME ROOT OTHER stay|leave`. Prints this device's wire fingerprints as it
// starts ("me ns=fp ..."), before anything touches the Board library, then those the other device sent in its hello
// ("peer ns=fp ..."). The two meet through a chat Line each way, so neither leaves before the other has seen it;
// Then each sends the other a Memo, the message whose shape differs between the builds, and prints the one it gets
// ("memo ID STARS"): the newer build's extra member is skipped by the older, and missing for the newer, which takes
// its default. "stay" then waits until the other has left. Exit code 0 when every step happened in time.
TimeSpan patience = TimeSpan.FromSeconds(30);
string me = args[0], root = args[1], other = args[2];
try
{
    await using TruffleNode node = await TruffleNode.StartAsync(new TruffleOptions
    {
        AppId = "versions-test",
        DeviceName = me,
        StateDirectory = Path.Combine(root, me),
        Network = TruffleNetwork.Loopback,
        LoopbackDirectory = Path.Combine(root, "network"),
    });
    Console.WriteLine("me " + Format(node.Schemas));

    // Subscribed before meeting: a Line received proves its sender listens, and is answered once.
    var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    using IDisposable lines = node.Bus.Chat.On<Line>(async (line, context, cancellationToken) =>
    {
        if (line.Text == "hello")
        {
            await node.Bus.Chat.Send(context.From, new Line("reply"), cancellationToken);
        }

        heard.TrySetResult();
    });

    var memo = new TaskCompletionSource<Memo>(TaskCreationOptions.RunContinuationsAsynchronously);
    using IDisposable memos = node.Bus.Notes.On<Memo>((received, _, _) =>
    {
        memo.TrySetResult(received);
        return ValueTask.CompletedTask;
    });

    TruffleDevice peer = await SeenAsync(node, d => d.Name == other && d.IsOnline && d.Schemas.Count > 0, patience);
    Console.WriteLine("peer " + Format(peer.Schemas));
    await node.Bus.Chat.Send(peer.Id, new Line("hello"));
    await heard.Task.WaitAsync(patience);
    await node.Bus.Notes.Send(peer.Id, new Memo(me, 5));
    Memo got = await memo.Task.WaitAsync(patience);
    Console.WriteLine($"memo {got.Id} {got.Stars}");
    if (args[3] == "stay")
    {
        await SeenAsync(node, d => d.Id == peer.Id && !d.IsOnline, patience);
    }

    return 0;
}
catch (TimeoutException e)
{
    Console.Error.WriteLine($"{me} timed out: {e}");
    return 1;
}

static string Format(IReadOnlyDictionary<string, string> schemas) =>
    string.Join(' ', schemas.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

// Subscribes, then reads the current list, so a change in between is seen either way.
static async Task<TruffleDevice> SeenAsync(TruffleNode node, Func<TruffleDevice, bool> wanted, TimeSpan patience)
{
    var seen = new TaskCompletionSource<TruffleDevice>(TaskCreationOptions.RunContinuationsAsynchronously);
    void Check(object? sender, TruffleDevice device)
    {
        if (wanted(device))
        {
            seen.TrySetResult(device);
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

        return await seen.Task.WaitAsync(patience);
    }
    finally
    {
        node.DeviceDiscovered -= Check;
        node.DeviceUpdated -= Check;
        node.DeviceOffline -= Check;
    }
}
