using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <content>
/// Connections: one per device (a newer one replaces an older one), the identity each hello binds (a device id
/// belongs to one network node, see <see cref="DeviceBindings"/>), and the checks every inbound envelope passes
/// before anything acts on it.
/// </content>
internal sealed partial class MeshNode
{
    /// <summary>
    /// The verdict on a peer's hello during the handshake (the network has vouched for its node): the device id it
    /// claims is bound to that node, or the hello is refused with 4003. A node that says hello as a new id has
    /// replaced its old device, which departs here.
    /// </summary>
    private string? Admit(Hello hello)
    {
        if (_bindings.TryBind(hello.DeviceId, hello.TailscaleId, out string? replaced) is { } refusal)
        {
            _metrics.Mesh.IdentityRefused.Add(1, new KeyValuePair<string, object?>("reason", refusal.Tag));
            MeshLog.IdentityRefused(_logger, hello.TailscaleId, hello.DeviceId, refusal.Reason);
            return refusal.Reason;
        }

        if (replaced is not null)
        {
            Depart(replaced, hello);
        }

        return null;
    }

    /// <summary>
    /// <paramref name="deviceId"/>'s node now says hello as <paramref name="successor"/>: the old device is gone for
    /// good, as after a goodbye (the election drops it, sync removes its slices), and forgotten, so a node cycling
    /// through ids leaves nothing behind.
    /// </summary>
    private void Depart(string deviceId, Hello successor)
    {
        IPeerConnection? connection;
        lock (_attachGate)
        {
            _connections.TryRemove(deviceId, out connection);
        }

        _metrics.Mesh.DevicesReplaced.Add(1);
        MeshLog.DeviceReplaced(_logger, successor.TailscaleId, successor.DeviceId, deviceId);
        if (connection is not null)
        {
            // Out of the table first, so its OnClosed sees a replaced connection and leaves the rest to us.
            _router.Detach(connection);
            _ = connection.CloseAsync(CloseCodes.IdentityMismatch, "replaced by another device of its node").AsTask();
        }

        Leave(deviceId);
        if (_devices.TryRemove(deviceId, out TruffleDevice? device) && device.IsOnline)
        {
            Raise(DeviceOffline, device with { IsOnline = false });
        }
    }

    /// <summary>A handshake finished (either direction): the device is online and joins the election's view.</summary>
    private void Attach(IPeerConnection connection)
    {
        Hello hello = connection.Remote;
        if (hello.DeviceId == DeviceId || Volatile.Read(ref _disposed) != 0)
        {
            _ = connection.CloseAsync(CloseCodes.Goodbye, hello.DeviceId == DeviceId ? "connected to itself" : "stopping").AsTask();
            return;
        }

        // Admitted, but its node may have said hello as another id since (a concurrent handshake): then it is gone.
        IPeerConnection? replaced = null;
        bool bound;
        lock (_attachGate)
        {
            bound = _bindings.IsBound(hello.DeviceId, hello.TailscaleId);
            if (bound)
            {
                _connections.AddOrUpdate(hello.DeviceId, connection, (_, old) =>
                {
                    replaced = old;
                    return connection;
                });
            }
        }

        if (!bound)
        {
            const string Reason = "its node said hello as another device since";
            _metrics.Mesh.IdentityRefused.Add(1, new KeyValuePair<string, object?>("reason", "replaced"));
            MeshLog.IdentityRefused(_logger, hello.TailscaleId, hello.DeviceId, Reason);
            _ = connection.CloseAsync(CloseCodes.IdentityMismatch, Reason).AsTask();
            return;
        }

        _router.Attach(connection);
        bool known = _devices.ContainsKey(hello.DeviceId);
        TruffleDevice device = _devices[hello.DeviceId] = new TruffleDevice(
            hello.DeviceId, hello.DeviceName, hello.DeviceType, hello.Os, RoleOf(hello.DeviceId), IsOnline: true, hello.Incarnation, hello.Metadata)
        {
            Kind = hello.IsObserver ? DeviceKind.Observer : DeviceKind.Member,
            Schemas = hello.Schemas,
        };
        if (replaced is not null)
        {
            _ = replaced.CloseAsync(CloseCodes.Goodbye, "replaced by a newer connection").AsTask();
        }

        MeshLog.Connected(_logger, hello.DeviceId, hello.DeviceName, connection.IsOutgoing, hello.Incarnation);
        connection.Start(this);
        Ping(connection);
        if (hello.IsObserver)
        {
            // Never a candidate, never counted: the election only tells it who leads.
            _election.ObserverJoined(hello.DeviceId);
        }
        else
        {
            _election.MemberJoined(new ElectionMember(hello.DeviceId, hello.PreferPrimary, hello.Priority));
        }
        Raise(DeviceConnected, device);
        Raise(known ? DeviceUpdated : DeviceDiscovered, device);
    }

    /// <inheritdoc/>
    void IConnectionHandler.OnClosed(IPeerConnection connection, ConnectionClosed closed)
    {
        string deviceId = connection.Remote.DeviceId;
        if (!_connections.TryRemove(new KeyValuePair<string, IPeerConnection>(deviceId, connection)))
        {
            return; // replaced by a newer connection: the device is still online
        }

        _router.Detach(connection);
        MeshLog.Disconnected(_logger, deviceId, closed.CloseCode ?? 0, closed.Reason);
        if (closed.CloseCode == CloseCodes.Goodbye || !_discovery.IsListed(connection.Remote.TailscaleId))
        {
            // A goodbye, or the network already stopped listing it: gone, not merely disconnected.
            Leave(deviceId);
        }
        else if (!connection.Remote.IsObserver)
        {
            _election.MemberLost(deviceId);
        }

        if (_devices.TryGetValue(deviceId, out TruffleDevice? device))
        {
            TruffleDevice offline = _devices[deviceId] = device with { IsOnline = false };
            Raise(DeviceOffline, offline);
        }
    }

    /// <inheritdoc/>
    void IConnectionHandler.OnEnvelope(IPeerConnection connection, in Envelope envelope)
    {
        if (envelope.Kind == EnvelopeKind.Control && envelope.From == connection.Remote.DeviceId)
        {
            // A replaced connection may still deliver what it had read; the device speaks over its current one only.
            if (_connections.TryGetValue(envelope.From, out IPeerConnection? current) && current == connection)
            {
                OnControl(connection, envelope);
            }
            else
            {
                _metrics.Mesh.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "replaced"));
            }
        }
        else
        {
            _router.OnEnvelope(connection, envelope);
        }
    }

    private void OnControl(IPeerConnection connection, in Envelope envelope)
    {
        string peer = connection.Remote.DeviceId;
        switch (envelope.Type)
        {
            case ControlTypes.Ping:
                OnPing(connection, envelope.Payload);
                return;
            case ControlTypes.Pong:
                OnPong(peer, envelope.Payload.Span);
                return;
            case ControlTypes.Election when ElectionMessageCodec.TryRead(envelope.Payload, out ElectionMessage message):
                _election.Receive(peer, message);
                return;
            case ControlTypes.Goodbye:
                MeshLog.Goodbye(_logger, peer);
                Leave(peer);
                return;
            default:
                _metrics.Mesh.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "control"));
                MeshLog.UnknownControl(_logger, peer, envelope.Type);
                return;
        }
    }

    /// <summary>
    /// The network no longer lists a node (or lists it offline): the device it said hello as is gone, unless its
    /// connection is still up (a listing that lags a reconnect); then it leaves when that connection closes.
    /// </summary>
    private void OnPeerGone(string nodeId)
    {
        // Bindings outlive a run; only a device met in this run can leave it.
        if (_bindings.DeviceOf(nodeId) is { } deviceId && _devices.ContainsKey(deviceId))
        {
            if (_connections.TryGetValue(deviceId, out IPeerConnection? connection) && connection.Remote.TailscaleId == nodeId)
            {
                MeshLog.GoneButConnected(_logger, deviceId);
            }
            else
            {
                Leave(deviceId);
            }
        }

        Raise(NodeGone, nodeId);
    }

    /// <summary>The device is gone for good (goodbye, or the network no longer lists it), not just disconnected.</summary>
    private void Leave(string deviceId)
    {
        _election.MemberLeft(deviceId);
        Raise(DeviceLeft, deviceId);
    }

    private MeshRole RoleOf(string deviceId) => RoleOf(deviceId, _election.State);

    private static MeshRole RoleOf(string deviceId, ElectionState state) =>
        state.PrimaryId is null ? MeshRole.None : state.PrimaryId == deviceId ? MeshRole.Primary : MeshRole.Secondary;

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
#pragma warning disable CA1031 // an app's event handler must not break the mesh
        catch (Exception e)
#pragma warning restore CA1031
        {
            MeshLog.HandlerFailed(_logger, e);
            _metrics.HandlerErrors.Add(1, new KeyValuePair<string, object?>("namespace", ControlNamespace));
        }
    }
}
