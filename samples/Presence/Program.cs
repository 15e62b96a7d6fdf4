using System.Collections.Concurrent;
using Presence;
using Truffle;
using Truffle.Sync;

// Three local devices share a "presence" store: each writes only its own slice and sees the others' live. Only the
// members that change travel, and a device that leaves takes its slice with it. Exits by itself: 0 when every device
// saw every change, 1 otherwise.
string root = Directory.CreateTempSubdirectory("truffle-presence-").FullName;
var nodes = new List<TruffleNode>();
var stores = new List<SyncedStore<DeviceStatus>>();
var seen = new ConcurrentDictionary<(string Viewer, string Owner), DeviceStatus?>();
var names = new ConcurrentDictionary<string, string>();
bool quiet = false;
using var changed = new SemaphoreSlim(0);
try
{
    foreach (string name in new[] { "ana", "bo", "cy" })
    {
        TruffleNode node = await TruffleNode.StartAsync(new TruffleOptions
        {
            AppId = "presence-demo",
            DeviceName = name,
            StateDirectory = Path.Combine(root, name),
            Network = TruffleNetwork.Loopback,
            LoopbackDirectory = Path.Combine(root, "registry"),
        });
        SyncedStore<DeviceStatus> store = node.Sync.Store<DeviceStatus>();
        store.Changed += (_, change) =>
        {
            if (!change.IsLocal && !quiet)
            {
                string owner = change.Value?.Name ?? names.GetValueOrDefault(change.DeviceId, change.DeviceId[..8]);
                Console.WriteLine($"[{name,-3}] {owner}: {(change.Value is null ? "gone" : Describe(change.Value))}" +
                                  $"  (changed: {string.Join(", ", change.ChangedMembers)})");
                seen[(name, change.DeviceId)] = change.Value;
                changed.Release();
            }
        };
        names[node.DeviceId] = name;
        nodes.Add(node);
        stores.Add(store);
        store.Local = new DeviceStatus(name, "online", 90 - nodes.Count, ["notes.md"]);
    }

    await EveryoneSeesAsync();
    Console.WriteLine("[demo] bo's battery drops: only that member travels");
    stores[1].Update(status => status! with { Battery = status.Battery - 10 });
    await EveryoneSeesAsync();
    Console.WriteLine("[demo] cy opens a file and goes away");
    stores[2].Local = stores[2].Local! with { Status = "away", OpenFiles = ["notes.md", "todo.md"] };
    await EveryoneSeesAsync();
    Console.WriteLine("[demo] ana leaves: the others drop its slice");
    TruffleNode ana = nodes[0];
    nodes.RemoveAt(0);
    stores.RemoveAt(0);
    await ana.DisposeAsync();
    await EveryoneSeesAsync(gone: ana.DeviceId);
    quiet = true;
    foreach (TruffleNode node in nodes)
    {
        await node.DisposeAsync();
    }

    nodes.Clear();
    Console.WriteLine("[demo] done");
    return 0;
}
catch (TimeoutException e)
{
    Console.Error.WriteLine($"presence demo failed: {e.Message}");
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

// Waits on change events (never by polling) until every device holds every other device's current slice, and none
// holds the slice of the device that is gone.
async Task EveryoneSeesAsync(string? gone = null)
{
    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
    while (!nodes.All(viewer => nodes.Where(owner => owner != viewer).All(owner =>
               seen.TryGetValue((Name(viewer), owner.DeviceId), out DeviceStatus? status) && Same(status, Local(owner)))
               && (gone is null || seen.GetValueOrDefault((Name(viewer), gone)) is null)))
    {
        try
        {
            await changed.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the devices did not converge");
        }
    }
}

string Name(TruffleNode node) => stores[nodes.IndexOf(node)].Local!.Name;

DeviceStatus? Local(TruffleNode node) => stores[nodes.IndexOf(node)].Local;

// Records compare ImmutableArray members by reference; the generated diff compares them by content.
static bool Same(DeviceStatus? a, DeviceStatus? b) => a is null || b is null ? a == b : SliceDelta.Create(a, b).IsEmpty;

static string Describe(DeviceStatus status) =>
    $"{status.Status}, battery {status.Battery}%, files {string.Join(" ", status.OpenFiles)}";
