namespace Truffle.Cli.Commands;

/// <summary>Devices this process runs (for <c>dev</c> and <c>demo</c>), and a wake-up whenever one of them changes.</summary>
internal sealed class LocalMesh : IAsyncDisposable
{
    private readonly List<TruffleNode> _nodes = [];
    private readonly SemaphoreSlim _changed = new(0);
    private bool _disposed;

    public IReadOnlyList<TruffleNode> Nodes => _nodes;

    public async Task<TruffleNode> StartAsync(TruffleOptions options, CancellationToken cancellationToken)
    {
        SidecarPermissions.EnsureExecutable(options.SidecarPath);
        TruffleNode node = await TruffleNode.StartAsync(options, cancellationToken).ConfigureAwait(false);
        node.RoleChanged += (_, _) => _changed.Release();
        node.DeviceDiscovered += (_, _) => _changed.Release();
        node.DeviceUpdated += (_, _) => _changed.Release();
        node.DeviceOffline += (_, _) => _changed.Release();
        _nodes.Add(node);
        _changed.Release();
        return node;
    }

    /// <summary>Waits until a device changes, or <paramref name="timeout"/> passes (to refresh counters).</summary>
    public async Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _changed.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the caller's loop ends.
        }
    }

    /// <summary>Stops every device with a goodbye.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (TruffleNode node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        _changed.Dispose();
    }
}
