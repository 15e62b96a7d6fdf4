using System.Collections.Concurrent;
using Truffle.Sidecar;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <content>
/// Discovery: the sidecar's peer list and watch events, filtered by the app's hostname prefix. Exactly one side of
/// each pair dials, the one whose hostname sorts first (ordinal), so two devices never race two connections to
/// each other; the other side accepts.
/// </content>
internal sealed partial class MeshNode
{
    // Keyed by the peer's network node id.
    private readonly ConcurrentDictionary<string, OutgoingConnector> _dialers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _deviceOfNode = new(StringComparer.Ordinal);
    private Task? _acceptLoop;

    /// <summary>Handles a listed or changed peer; true when it is an online device of this app.</summary>
    private bool OnPeerSeen(SidecarPeer peer)
    {
        if (!Hostnames.MayBelongTo(peer.Hostname, _options.AppId) || peer.Hostname == Hostname)
        {
            return false;
        }

        if (!peer.Online)
        {
            OnPeerGone(peer.Id);
            return false;
        }

        if (string.CompareOrdinal(Hostname, peer.Hostname) < 0 && !_dialers.ContainsKey(peer.Id) && Volatile.Read(ref _disposed) == 0)
        {
            var connector = new OutgoingConnector(
                peer.Hostname,
                ct => PeerConnection.ConnectAsync(
                    dial => _sidecar.DialAsync(peer.DnsName, _options.Transport.Port, cancellationToken: dial),
                    peer.Id, _hello, _options.Transport, _loggerFactory, ct),
                Attach,
                _options.Transport,
                _time,
                _logger);
            if (!_dialers.TryAdd(peer.Id, connector))
            {
                _ = DisposeConnectorAsync(connector);
            }
            else
            {
                MeshLog.Dialing(_logger, peer.Hostname);
            }
        }

        return true;
    }

    /// <summary>The network says a peer is gone: stop dialling it, and it leaves the election's view.</summary>
    private void OnPeerGone(string nodeId)
    {
        if (_dialers.TryRemove(nodeId, out OutgoingConnector? connector))
        {
            _ = DisposeConnectorAsync(connector);
        }

        if (_deviceOfNode.TryGetValue(nodeId, out string? deviceId))
        {
            Leave(deviceId);
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

    /// <summary>A restarted sidecar lost every connection; the connectors redial, the accept loop goes on.</summary>
    private void OnSidecarRestarted(object? sender, SidecarStatus status) => MeshLog.SidecarRestarted(_logger, status.State);

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        using var handshakes = new SemaphoreSlim(_options.Transport.MaxPendingHandshakes);
        var pending = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                BridgeConnection incoming = await _sidecar.AcceptAsync(cancellationToken).ConfigureAwait(false);
                if (!handshakes.Wait(0, CancellationToken.None))
                {
                    MeshLog.TooManyHandshakes(_logger, incoming.RemoteAddress);
                    await incoming.DisposeAsync().ConfigureAwait(false);
                    continue;
                }

                pending.RemoveAll(t => t.IsCompleted);
                pending.Add(HandshakeAsync(incoming, handshakes, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (ObjectDisposedException)
        {
            // The sidecar client was disposed under us.
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async Task HandshakeAsync(BridgeConnection incoming, SemaphoreSlim handshakes, CancellationToken cancellationToken)
    {
        try
        {
            PeerConnection connection = await PeerConnection.AcceptAsync(incoming, _hello, _options.Transport, _loggerFactory, cancellationToken)
                .ConfigureAwait(false);
            Attach(connection);
        }
        catch (Exception e) when (e is HandshakeException or OperationCanceledException)
        {
            // Logged and counted by the transport; the stream is closed.
        }
#pragma warning disable CA1031 // one bad peer must not end the accept loop
        catch (Exception e)
#pragma warning restore CA1031
        {
            TruffleMetrics.InternalError("accept");
            MeshLog.HandshakeFailed(_logger, incoming.RemoteAddress, e);
            await incoming.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            handshakes.Release();
        }
    }

    private async Task StopDialingAsync()
    {
        foreach (string nodeId in _dialers.Keys)
        {
            if (_dialers.TryRemove(nodeId, out OutgoingConnector? connector))
            {
                await DisposeConnectorAsync(connector).ConfigureAwait(false);
            }
        }
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
            TruffleMetrics.InternalError("connector");
            MeshLog.ConnectorFailed(_logger, e);
        }
    }
}
