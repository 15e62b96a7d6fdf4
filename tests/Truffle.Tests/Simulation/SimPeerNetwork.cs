using Truffle.Sidecar;
using Truffle.Transport;

namespace Truffle.Tests.Simulation;

/// <summary>
/// One process's network in the simulation: what its <see cref="Truffle.Mesh.MeshNode"/> sees where a real node
/// has its sidecar. Peers come from the simulation's registry, connections from its dials.
/// </summary>
internal sealed class SimPeerNetwork(SimulatedNetwork network, SimNode node) : IPeerNetwork
{
    private Action<IPeerConnection>? _accepted;

    public NetworkNode Local { get; } = new(node.Hostname, node.NodeId);

    public event EventHandler<SidecarPeerChange>? PeerChanged;

    public event EventHandler? Restarted;

    /// <summary>True while the mesh listens (and the node is not restarting).</summary>
    public bool Accepting => _accepted is not null && !Restarting && !Ended;

    /// <summary>The hello the mesh listens with.</summary>
    public Hello? Hello { get; private set; }

    /// <summary>The mesh's verdict on the hellos of incoming connections.</summary>
    public HelloAdmission? Admit { get; private set; }

    /// <summary>True once the mesh asked for peer changes.</summary>
    public bool Watching { get; private set; }

    /// <summary>True while the node restarts after its sidecar died: no connection in or out.</summary>
    public bool Restarting { get; set; }

    /// <summary>When the last peer change reported to this node arrives: later ones arrive no earlier.</summary>
    public long LastAnnouncement { get; set; }

    /// <summary>
    /// Open connections this process's mesh has taken (started), by device: a count the scale runs read instead of
    /// <see cref="Truffle.Mesh.MeshNode.Devices"/>, which copies the whole table.
    /// </summary>
    public Dictionary<string, int> Attached { get; } = new(StringComparer.Ordinal);

    /// <summary>True once the process ended: nothing reaches it any more.</summary>
    public bool Ended { get; set; }

    public Task<IAsyncDisposable> ListenAsync(Hello local, HelloAdmission admit, Action<IPeerConnection> accepted, CancellationToken cancellationToken)
    {
        network.CheckThread("listen");
        Hello = local;
        Admit = admit;
        _accepted = accepted;
        return Task.FromResult<IAsyncDisposable>(new Listening(this));
    }

    public Task<IPeerConnection> ConnectAsync(SidecarPeer peer, Hello local, HelloAdmission admit, CancellationToken cancellationToken) =>
        network.Dial(node, this, peer, local, admit, cancellationToken);

    public Task<IReadOnlyList<SidecarPeer>> GetPeersAsync(CancellationToken cancellationToken)
    {
        network.CheckThread("peers");
        return Task.FromResult(network.PeersOf(node));
    }

    public ValueTask WatchPeersAsync(CancellationToken cancellationToken)
    {
        Watching = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>A connection from another process passed its handshake.</summary>
    public void Accept(SimConnection connection) => _accepted!(connection);

    /// <summary>The registry changed.</summary>
    public void Announce(SidecarPeerChange change)
    {
        if (!Ended)
        {
            PeerChanged?.Invoke(this, change);
        }
    }

    /// <summary>The node is back after its sidecar died.</summary>
    public void RaiseRestarted()
    {
        Restarting = false;
        if (!Ended)
        {
            Restarted?.Invoke(this, EventArgs.Empty);
        }
    }

    private sealed class Listening(SimPeerNetwork network) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            network._accepted = null;
            return ValueTask.CompletedTask;
        }
    }
}
