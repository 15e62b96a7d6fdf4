using Truffle.Mesh;
using Truffle.Wire;

namespace Truffle.Sync;

/// <summary>
/// The StoreSyncAdapter of SPEC §7: carries a <see cref="SyncEngine"/>'s messages on the mesh, in the reserved
/// <c>sync</c> namespace, and tells it who connected and who left. Sends never wait: the sync protocol repairs
/// anything lost (digests, requests).
/// </summary>
internal sealed class StoreSyncAdapter : ISyncOutput, IMeshReceiver
{
    /// <summary>The reserved namespace of sync messages; the message names its store inside the payload.</summary>
    public const string Namespace = "sync";

    /// <summary>Room for a sync message's own fields (store id, device, numbers) around the slice it carries.</summary>
    public const int HeaderRoom = 4 << 10;

    private const string MessageType = "message";

    private readonly IMeshEndpoint _endpoint;
    private SyncEngine? _engine;

    public StoreSyncAdapter(IMeshEndpoint endpoint) => _endpoint = endpoint;

    /// <summary>The largest slice whose sync message still fits in one envelope.</summary>
    public int MaxSliceBytes => _endpoint.MaxPayloadBytes - HeaderRoom;

    /// <summary>Connects the engine: from now on the mesh's sync envelopes and membership reach it.</summary>
    public void Attach(SyncEngine engine)
    {
        _engine = engine;
        _endpoint.SetReceiver(Namespace, this);
        _endpoint.DeviceConnected += (_, device) => engine.DeviceJoined(device.Id, device.Incarnation);
        _endpoint.DeviceLeft += (_, deviceId) => engine.DeviceLeft(deviceId);
    }

    /// <inheritdoc/>
    public void Broadcast(ReadOnlyMemory<byte> message) => _endpoint.Post(to: "", Namespace, MessageType, message);

    /// <inheritdoc/>
    public void Send(string deviceId, ReadOnlyMemory<byte> message) => _endpoint.Post(deviceId, Namespace, MessageType, message);

    /// <inheritdoc/>
    Task? IMeshReceiver.OnEnvelope(in Envelope envelope)
    {
        _engine?.Receive(envelope.From, envelope.Payload);
        return null;
    }
}
