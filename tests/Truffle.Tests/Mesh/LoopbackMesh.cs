using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;

namespace Truffle.Tests.Mesh;

/// <summary>
/// Real nodes, each with its own sidecar process, on a loopback network of their own (a fresh registry directory),
/// and a way to wait for the mesh to reach a state without sleeping: every role or device event re-checks it.
/// </summary>
internal sealed class LoopbackMesh : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("truffle-mesh-").FullName;
    private readonly string _sidecar;
    private readonly List<TruffleNode> _nodes = [];
    private readonly SemaphoreSlim _changed = new(0);
    private readonly List<(TruffleNode Node, string NodeId)> _gone = [];
    private int _rogues;

    public LoopbackMesh(SidecarBinary sidecar) => _sidecar = sidecar.Path;

    public IReadOnlyList<TruffleNode> Nodes => _nodes;

    public string RegistryDirectory => Path.Combine(_root, "registry");

    public TruffleOptions Options(string name, string appId = "meshtest") => new()
    {
        AppId = appId,
        DeviceName = name,
        StateDirectory = Path.Combine(_root, "state-" + name),
        Network = TruffleNetwork.Loopback,
        LoopbackDirectory = RegistryDirectory,
        SidecarPath = _sidecar,
    };

    public async Task<TruffleNode> StartAsync(string name, Func<TruffleOptions, TruffleOptions>? configure = null)
    {
        TruffleOptions options = Options(name);
        TruffleNode node = await TruffleNode.StartAsync(configure is null ? options : configure(options)).WaitAsync(Test.Timeout);
        node.RoleChanged += (_, _) => _changed.Release();
        node.DeviceDiscovered += (_, _) => _changed.Release();
        node.DeviceUpdated += (_, _) => _changed.Release();
        node.DeviceOffline += (_, _) => _changed.Release();
        node.NodeGone += (_, nodeId) =>
        {
            lock (_gone)
            {
                _gone.Add((node, nodeId));
            }

            _changed.Release();
        };
        _nodes.Add(node);
        _changed.Release();
        return node;
    }

    /// <summary>A rogue device joining this mesh's network through a sidecar of its own (see <see cref="RogueDevice"/>).</summary>
    public Task<RogueDevice> StartRogueAsync(string? presenting = null, string appId = "meshtest", bool reads = true) =>
        RogueDevice.StartAsync(_sidecar, RegistryDirectory, Path.Combine(_root, $"rogue-{Interlocked.Increment(ref _rogues)}"), appId, presenting, reads);

    /// <summary>Waits until every running node has handled the network's news that <paramref name="nodeId"/> is gone.</summary>
    public async Task AllSawNodeGoneAsync(string nodeId)
    {
        try
        {
            await UntilAsync(() =>
            {
                lock (_gone)
                {
                    return _nodes.All(n => _gone.Contains((n, nodeId))) ? "gone" : null;
                }
            });
        }
        catch (TimeoutException e)
        {
            lock (_gone)
            {
                string seen = string.Join(", ", _gone.Select(g => $"{g.Node.DeviceId[..8]} saw {g.NodeId} gone"));
                throw new TimeoutException($"Not every node saw {nodeId} gone ({seen}); listed: {string.Join(",", _nodes.Select(n => n.ListedPeerCount))}", e);
            }
        }
    }

    /// <summary>Makes waiters re-check their condition; hook it to any event a test waits on (store changes).</summary>
    public void Poke() => _changed.Release();

    /// <summary>Stops a node gracefully (goodbye) and forgets it.</summary>
    public async Task StopAsync(TruffleNode node)
    {
        _nodes.Remove(node);
        await node.DisposeAsync().AsTask().WaitAsync(Test.Timeout);
        _changed.Release();
    }

    /// <summary>Waits until every running node names the same primary, which is one of them, and all are connected.</summary>
    public Task<TruffleNode> OnePrimaryAsync() => UntilAsync(() =>
    {
        string? primary = _nodes.Count > 0 ? _nodes[0].PrimaryId : null;
        bool agreed = primary is not null
            && _nodes.All(n => n.PrimaryId == primary)
            && _nodes.Count(n => n.Role == MeshRole.Primary) == 1
            && _nodes.All(n => n.Devices.Count(d => d.IsOnline) == _nodes.Count - 1);
        return agreed ? _nodes.Single(n => n.Role == MeshRole.Primary) : null;
    });

    /// <summary>Re-checks <paramref name="probe"/> after every mesh event until it gives a value.</summary>
    public async Task<T> UntilAsync<T>(Func<T?> probe)
        where T : class
    {
        using var deadline = new CancellationTokenSource(Test.Timeout);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            try
            {
                await _changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("The mesh did not reach the expected state: " + Describe());
            }
        }
    }

    public string Describe() => string.Join("; ", _nodes.Select(n =>
        $"{n.DeviceId[..8]} {n.Role} primary={n.PrimaryId?[..8] ?? "-"} term={n.Term} online={n.Devices.Count(d => d.IsOnline)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (TruffleNode node in _nodes)
        {
            await node.DisposeAsync();
        }

        _changed.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
