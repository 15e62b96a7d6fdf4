using Truffle;
using Truffle.Sync;
using TruffleApp;

// Two devices of one app, ana and bo, each with its own sidecar process, on the loopback network (a local stand-in
// for a tailnet): they find each other, exchange a message and a request, share a slice of state, and the program
// exits. On your tailnet, drop Network (Tailscale is the default) and run one device per machine.
TimeSpan patience = TimeSpan.FromSeconds(15);
string root = Directory.CreateTempSubdirectory("truffle-app-").FullName;
var options = new TruffleOptions
{
    AppId = "truffle-app",
    Network = TruffleNetwork.Loopback,
    LoopbackDirectory = Path.Combine(root, "network"), // the devices that share this folder are one network
};
try
{
    await using TruffleNode ana = await TruffleNode.StartAsync(options with { DeviceName = "ana", StateDirectory = Path.Combine(root, "ana") });
    await using TruffleNode bo = await TruffleNode.StartAsync(options with { DeviceName = "bo", StateDirectory = Path.Combine(root, "bo") });
    await Task.WhenAll(SeesAsync(ana, bo), SeesAsync(bo, ana));
    Console.WriteLine("ana and bo see each other");

    var chat = new TaskCompletionSource<ChatMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
    bo.Bus.Chat.On<ChatMessage>((message, context) => chat.TrySetResult(message));
    await ana.Bus.Chat.Send(bo.DeviceId, new ChatMessage("ana", "hello bo"));
    ChatMessage received = await chat.Task.WaitAsync(patience);
    Console.WriteLine($"bo got a message from {received.Author}: {received.Text}");

    bo.Bus.Chat.Handle((HowAreYou request, MessageContext context) => new Mood($"fine, thanks {request.Asker}"));
    Mood mood = await ana.Bus.Chat.Request(bo.DeviceId, new HowAreYou("ana"), patience);
    Console.WriteLine($"ana asked bo how it is: {mood.Text}");

    var shared = new TaskCompletionSource<Presence>(TaskCreationOptions.RunContinuationsAsynchronously);
    SyncedStore<Presence> presence = ana.Sync.Store<Presence>();
    presence.Changed += (_, change) =>
    {
        if (change.DeviceId == bo.DeviceId && change.Value is { } value)
        {
            shared.TrySetResult(value);
        }
    };
    bo.Sync.Store<Presence>().Local = new Presence("bo", "online");
    Presence seen = await shared.Task.WaitAsync(patience);
    Console.WriteLine($"ana sees bo's presence: {seen.Name} is {seen.Status}");
    return 0;
}
catch (TimeoutException)
{
    Console.Error.WriteLine($"Something did not happen within {patience.TotalSeconds} s.");
    return 1;
}
finally
{
    Directory.Delete(root, recursive: true);
}

// Subscribe first, then read the current state: a device that arrives in between shows up in one or both.
async Task SeesAsync(TruffleNode node, TruffleNode other)
{
    var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    node.DeviceDiscovered += (_, device) =>
    {
        if (device.Id == other.DeviceId)
        {
            seen.TrySetResult();
        }
    };
    if (node.Devices.Any(device => device.Id == other.DeviceId))
    {
        seen.TrySetResult();
    }

    await seen.Task.WaitAsync(patience);
}
