using Truffle;
using Truffle.TestHost;

// Usage: Truffle.TestHost --app ID --name NAME --state DIR --loopback DIR [--priority N] [--prefer-primary] [--observer]
// Prints one event per line (started, role, device ID online|offline, note, pong, slice OWNER TEXT|-gone-, error);
// reads commands from stdin: broadcast TEXT | send DEVICE TEXT | ping DEVICE TEXT | set TEXT | quit
// stdin EOF or "quit" stops the node gracefully; kill -9 is what the tests use to make it vanish.
var arguments = Arguments.Parse(args);
var output = TextWriter.Synchronized(Console.Out);
await using TruffleNode node = await TruffleNode.StartAsync(new TruffleOptions
{
    AppId = arguments.Get("--app"),
    DeviceName = arguments.Get("--name"),
    StateDirectory = arguments.Get("--state"),
    Network = TruffleNetwork.Loopback,
    LoopbackDirectory = arguments.Get("--loopback"),
    Priority = int.Parse(arguments.Get("--priority", "0"), System.Globalization.CultureInfo.InvariantCulture),
    PreferPrimary = arguments.Has("--prefer-primary"),
    Observer = arguments.Has("--observer"),
});

// The role as the node has it now, not as the event said: a lone node is primary before this subscription exists.
var roleGate = new Lock();
void PrintRole()
{
    lock (roleGate)
    {
        output.WriteLine($"role {node.Role} {node.PrimaryId ?? "-"} {node.Term}");
    }
}

node.RoleChanged += (_, _) => PrintRole();
// As for the role: what the node has now, not what the event said, so the last line about a device is its state. The
// devices it met while starting, before these subscriptions, are printed once after them.
var deviceGate = new Lock();
void PrintDevice(string id)
{
    lock (deviceGate)
    {
        bool online = node.Devices.Any(d => d.Id == id && d.IsOnline);
        output.WriteLine($"device {id} {(online ? "online" : "offline")}");
    }
}

node.DeviceDiscovered += (_, device) => PrintDevice(device.Id);
node.DeviceUpdated += (_, device) => PrintDevice(device.Id);
node.DeviceOffline += (_, device) => PrintDevice(device.Id);
foreach (TruffleDevice device in node.Devices)
{
    PrintDevice(device.Id);
}

node.Bus.Probe.On<Note>((note, context) => output.WriteLine($"note {context.From} {note.Text}"));
node.Bus.Probe.Handle((Ping ping, MessageContext _) => new Pong(ping.Text, node.DeviceId));
SyncedStore<Board> board = node.Sync.Store<Board>();
board.Changed += (_, change) =>
{
    if (!change.IsLocal)
    {
        output.WriteLine($"slice {change.DeviceId} {change.Value?.Text ?? "-gone-"}");
    }
};
output.WriteLine($"started {node.DeviceId}");
PrintRole();

while (Console.ReadLine() is { } line)
{
    string[] parts = line.Split(' ', 3);
    try
    {
        switch (parts[0])
        {
            case "broadcast":
                await node.Bus.Probe.Broadcast(new Note(line["broadcast ".Length..]));
                break;
            case "send":
                await node.Bus.Probe.Send(parts[1], new Note(parts[2]));
                break;
            case "ping":
                Pong pong = await node.Bus.Probe.Request(parts[1], new Ping(parts[2]), TimeSpan.FromSeconds(10));
                output.WriteLine($"pong {pong.DeviceId} {pong.Text}");
                break;
            case "set":
                board.Local = new Board(line["set ".Length..]);
                break;
            case "quit":
                return 0;
        }
    }
    catch (TruffleException e)
    {
        output.WriteLine($"error {e.GetType().Name} {e.Message}");
    }
    catch (TimeoutException e)
    {
        output.WriteLine($"error {e.GetType().Name} {e.Message}");
    }
}

return 0;

internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            values[args[i]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
        }

        return new Arguments(values);
    }

    public string Get(string name, string? fallback = null) =>
        values.TryGetValue(name, out string? value) ? value : fallback ?? throw new ArgumentException($"{name} is required");

    public bool Has(string name) => values.ContainsKey(name);
}
