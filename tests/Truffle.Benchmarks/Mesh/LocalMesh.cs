using Truffle;

namespace Truffle.Benchmarks.Mesh;

/// <summary>Nodes of one app on a loopback network of their own; each node runs its own sidecar process.</summary>
internal sealed class LocalMesh : IAsyncDisposable
{
    private static int s_meshes;
    private readonly string _root = Directory.CreateTempSubdirectory("truffle-bench-").FullName;
    private readonly string _appId = $"bench{Interlocked.Increment(ref s_meshes)}";
    private readonly SemaphoreSlim _changed = new(0);

    public List<TruffleNode> Nodes { get; } = [];

    public async Task<TruffleNode[]> StartAsync(int count, TruffleRouting routing = TruffleRouting.Star)
    {
        int first = Nodes.Count;
        TruffleNode[] started = await Task.WhenAll(Enumerable.Range(first, count).Select(i => TruffleNode.StartAsync(new TruffleOptions
        {
            AppId = _appId,
            DeviceName = $"node{i}",
            StateDirectory = Path.Combine(_root, $"node{i}"),
            Network = TruffleNetwork.Loopback,
            LoopbackDirectory = Path.Combine(_root, "registry"),
            Routing = routing,
        })));
        foreach (TruffleNode node in started)
        {
            node.RoleChanged += (_, _) => _changed.Release();
            node.DeviceDiscovered += (_, _) => _changed.Release();
            node.DeviceOffline += (_, _) => _changed.Release();
            Nodes.Add(node);
        }

        return started;
    }

    public async Task StopAsync(TruffleNode node)
    {
        Nodes.Remove(node);
        await node.DisposeAsync();
    }

    /// <summary>Waits (on events) until all nodes are connected to each other and name the same primary.</summary>
    public async Task<TruffleNode> AgreedPrimaryAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            string? primary = Nodes[0].PrimaryId;
            if (primary is not null && Nodes.All(n => n.PrimaryId == primary) && Nodes.SingleOrDefault(n => n.DeviceId == primary) is { } found
                && Nodes.All(n => n.Devices.Count(d => d.IsOnline) == Nodes.Count - 1))
            {
                return found;
            }

            await _changed.WaitAsync(deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (TruffleNode node in Nodes)
        {
            await node.DisposeAsync();
        }

        _changed.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
