using Microsoft.Extensions.Logging;
using Truffle.Sidecar;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>
/// Finds the app's devices among the network's peers (by the <c>{appId}-</c> hostname prefix) and keeps a connection
/// to each one this node should dial. Exactly one side of each pair dials, the one whose hostname sorts first
/// (ordinal), so two devices never race two connections to each other; the other side accepts.
/// </summary>
internal sealed class Discovery : IAsyncDisposable
{
    private readonly IPeerNetwork _network;
    private readonly string _appId;
    private readonly Hello _hello;
    private readonly HelloAdmission _admit;
    private readonly TransportOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly Action<IPeerConnection> _connected;
    private readonly Action<string> _peerGone;

    // Keyed by the peer's network node id; null while its connector is being created (outside the lock: a new
    // connector may connect at once, and that runs the mesh's code).
    private readonly Dictionary<string, OutgoingConnector?> _dialers = new(StringComparer.Ordinal);

    // The app's peers the network lists online now, by node id.
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _stopped;

    /// <param name="network">Where peers are listed and dialled.</param>
    /// <param name="appId">Only peers whose hostname may belong to this app are dialled.</param>
    /// <param name="hello">This node's hello, for every handshake.</param>
    /// <param name="admit">The verdict on each dialled peer's hello (the device bindings).</param>
    /// <param name="options">Reconnect delays.</param>
    /// <param name="time">The clock of the reconnect delays.</param>
    /// <param name="random">The jitter of the reconnect delays.</param>
    /// <param name="logger">Where dials and failures are logged.</param>
    /// <param name="connected">Receives every outgoing connection that passed the handshake; must start it.</param>
    /// <param name="peerGone">Told the network node id of a peer the network no longer lists (or lists offline).</param>
    public Discovery(
        IPeerNetwork network, string appId, Hello hello, HelloAdmission admit, TransportOptions options, TimeProvider time, Random random, ILogger logger,
        Action<IPeerConnection> connected, Action<string> peerGone)
    {
        _network = network;
        _appId = appId;
        _hello = hello;
        _admit = admit;
        _options = options;
        _time = time;
        _random = random;
        _logger = logger;
        _connected = connected;
        _peerGone = peerGone;
    }

    /// <summary>Watches the network's peers and dials those of the app; true when any of them is online now.</summary>
    /// <exception cref="SidecarException">The network could not list or watch its peers.</exception>
    public async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        _network.PeerChanged += OnPeerChanged;
        _network.Restarted += OnNetworkRestarted;
        await _network.WatchPeersAsync(cancellationToken).ConfigureAwait(false);
        return await ListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many of the app's peers the network lists online now.</summary>
    public int ListedCount
    {
        get
        {
            lock (_gate)
            {
                return _listed.Count;
            }
        }
    }

    /// <summary>Whether the network lists the node <paramref name="nodeId"/> as an online peer of the app now.</summary>
    public bool IsListed(string nodeId)
    {
        lock (_gate)
        {
            return _listed.Contains(nodeId);
        }
    }

    /// <summary>
    /// Takes the network's whole peer list: every peer of the app in it is seen, every one listed before and missing
    /// now is gone. True when any peer of the app is online.
    /// </summary>
    private async Task<bool> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SidecarPeer> peers = await _network.GetPeersAsync(cancellationToken).ConfigureAwait(false);
        string[] missing;
        lock (_gate)
        {
            missing = [.. _listed.Except(peers.Select(p => p.Id), StringComparer.Ordinal)];
        }

        foreach (string nodeId in missing)
        {
            OnPeerGone(nodeId);
        }

        bool peersExpected = false;
        foreach (SidecarPeer peer in peers)
        {
            peersExpected |= OnPeerSeen(peer);
        }

        return peersExpected;
    }

    /// <summary>
    /// A restarted network node (sidecar) missed the changes made while it was down, and its watch only reports
    /// changes from now on: list the peers again.
    /// </summary>
    private void OnNetworkRestarted(object? sender, EventArgs e) => _ = RelistAsync();

    private async Task RelistAsync()
    {
        try
        {
            await ListAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a failed listing is reported; the watch goes on and the next restart lists again
        catch (Exception e)
#pragma warning restore CA1031
        {
            _options.Metrics.InternalError("relist");
            MeshLog.RelistFailed(_logger, e);
        }
    }

    /// <summary>Stops dialling: every outgoing connector and its connection is disposed. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        OutgoingConnector?[] connectors;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            connectors = [.. _dialers.Values];
            _dialers.Clear();
        }

        _network.PeerChanged -= OnPeerChanged;
        _network.Restarted -= OnNetworkRestarted;
        foreach (OutgoingConnector? connector in connectors)
        {
            if (connector is not null)
            {
                await DisposeConnectorAsync(connector).ConfigureAwait(false);
            }
        }
    }

    private void OnPeerChanged(object? sender, SidecarPeerChange change)
    {
        if (change.Peer is { } peer && change.ChangeType != "left")
        {
            OnPeerSeen(peer);
        }
        else
        {
            OnPeerGone(change.PeerId);
        }
    }

    /// <summary>Handles a listed or changed peer; true when it is an online device of this app.</summary>
    private bool OnPeerSeen(SidecarPeer peer)
    {
        if (!Hostnames.MayBelongTo(peer.Hostname, _appId) || peer.Hostname == _network.Local.Hostname)
        {
            return false;
        }

        if (!peer.Online)
        {
            OnPeerGone(peer.Id);
            return false;
        }

        lock (_gate)
        {
            _listed.Add(peer.Id);
        }

        if (string.CompareOrdinal(_network.Local.Hostname, peer.Hostname) < 0)
        {
            Dial(peer);
        }

        return true;
    }

    private void Dial(SidecarPeer peer)
    {
        lock (_gate)
        {
            if (_stopped || !_dialers.TryAdd(peer.Id, null))
            {
                return;
            }
        }

        MeshLog.Dialing(_logger, peer.Hostname);
        var connector = new OutgoingConnector(
            peer.Hostname, ct => _network.ConnectAsync(peer, _hello, _admit, ct), _connected, _options, _time, _logger, _random);
        bool kept;
        lock (_gate)
        {
            // The peer may have gone, or the mesh stopped, while the connector was being created.
            kept = !_stopped && _dialers.TryGetValue(peer.Id, out OutgoingConnector? reserved) && reserved is null;
            if (kept)
            {
                _dialers[peer.Id] = connector;
            }
        }

        if (!kept)
        {
            _ = DisposeConnectorAsync(connector);
        }
    }

    /// <summary>The network says a peer is gone: stop dialling it, and tell the mesh.</summary>
    private void OnPeerGone(string nodeId)
    {
        OutgoingConnector? connector;
        lock (_gate)
        {
            _listed.Remove(nodeId);
            _dialers.Remove(nodeId, out connector);
        }

        if (connector is not null)
        {
            _ = DisposeConnectorAsync(connector);
        }

        _peerGone(nodeId);
    }

    private async Task DisposeConnectorAsync(OutgoingConnector connector)
    {
        try
        {
            await connector.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // reported, and nothing else depends on it
        catch (Exception e)
#pragma warning restore CA1031
        {
            _options.Metrics.InternalError("connector");
            MeshLog.ConnectorFailed(_logger, e);
        }
    }
}
