using Truffle.Sidecar;

namespace Truffle.Transport;

/// <summary>
/// What the mesh uses of the network: which nodes are there and how they change, and connections to them that have
/// passed the handshake, in both directions. <see cref="SidecarPeerNetwork"/> is the real one (the sidecar plus the
/// WebSocket handshake); the deterministic simulation implements it in memory.
/// </summary>
internal interface IPeerNetwork
{
    /// <summary>This node as the network knows it: its hostname and node id (what a peer's WhoIs returns).</summary>
    NetworkNode Local { get; }

    /// <summary>Raised for every change of a peer once <see cref="WatchPeersAsync"/> has run.</summary>
    event EventHandler<SidecarPeerChange>? PeerChanged;

    /// <summary>
    /// Raised when the network node came back after a failure (a restarted sidecar): every connection it carried is
    /// gone, and listening and the peer watch have resumed.
    /// </summary>
    event EventHandler? Restarted;

    /// <summary>
    /// Accepts connections: each that passes the handshake with <paramref name="local"/> (and <paramref name="admit"/>) is handed to
    /// <paramref name="accepted"/> (which must start it and must not block); failed handshakes are logged and
    /// counted. Dispose the result to stop accepting; it waits for handshakes under way.
    /// </summary>
    /// <exception cref="SidecarException">The network refused to listen.</exception>
    Task<IAsyncDisposable> ListenAsync(Hello local, HelloAdmission admit, Action<IPeerConnection> accepted, CancellationToken cancellationToken);

    /// <summary>
    /// Dials <paramref name="peer"/> and runs the handshake; the peer's hello must name the node dialled and pass
    /// <paramref name="admit"/>.
    /// </summary>
    /// <exception cref="HandshakeException">Either side refused the connection.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Dial failures (<see cref="SidecarException"/>) and the stream's own failures propagate as they are.</remarks>
    Task<IPeerConnection> ConnectAsync(SidecarPeer peer, Hello local, HelloAdmission admit, CancellationToken cancellationToken);

    /// <summary>Every peer node the network lists now (of any app: the mesh filters).</summary>
    /// <exception cref="SidecarException">The network could not list its peers.</exception>
    Task<IReadOnlyList<SidecarPeer>> GetPeersAsync(CancellationToken cancellationToken);

    /// <summary>Starts <see cref="PeerChanged"/>; a peer that appears after this call is reported.</summary>
    /// <exception cref="SidecarException">The network could not watch its peers.</exception>
    ValueTask WatchPeersAsync(CancellationToken cancellationToken);
}
