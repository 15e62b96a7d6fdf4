using System.Runtime.InteropServices;
using Truffle.Mesh;
using Truffle.Wire;

namespace Truffle.Messaging;

/// <summary>
/// One device's endpoint on an <see cref="InProcessNetwork"/>: what a <see cref="MeshNode"/> is on a real network,
/// reduced to a hub. Envelopes reach their receiver synchronously, under the hub's delivery lock.
/// </summary>
internal sealed class InProcessEndpoint : IMeshEndpoint, IAsyncDisposable
{
    private readonly InProcessNetwork _network;
    private readonly Dictionary<string, IMeshReceiver> _receivers = new(StringComparer.Ordinal);
    private IMeshReceiver? _defaultReceiver;

    public InProcessEndpoint(InProcessNetwork network, string deviceId, ulong incarnation)
    {
        _network = network;
        Device = new TruffleDevice(
            deviceId, deviceId, "in-process", RuntimeInformation.OSDescription, MeshRole.None, IsOnline: true, incarnation,
            new Dictionary<string, string>());
    }

    /// <inheritdoc/>
    public string DeviceId => Device.Id;

    /// <summary>This device as the others see it.</summary>
    public TruffleDevice Device { get; }

    /// <inheritdoc/>
    public int MaxPayloadBytes => EnvelopeLimits.Default.MaxPayloadBytes;

    /// <inheritdoc/>
    public event EventHandler<TruffleDevice>? DeviceConnected;

    /// <inheritdoc/>
    public event EventHandler<TruffleDevice>? DeviceOffline;

    /// <inheritdoc/>
    public event EventHandler<string>? DeviceLeft;

    /// <inheritdoc/>
    public ValueTask SendAsync(
        string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, Correlation correlation, CancellationToken cancellationToken)
    {
        var envelope = new Envelope(
            EnvelopeKind.App, messageNamespace, messageType, DeviceId, to, 0, 0, correlation.Id, correlation.Flags, payload, correlation.TimeoutMs);
        return !_network.TrySend(to, envelope, out Task? room) ? ValueTask.FromException(new DeviceUnreachableException(to))
            : room is null ? ValueTask.CompletedTask
            : new ValueTask(room.WaitAsync(cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        Task? room = _network.Broadcast(new Envelope(EnvelopeKind.App, messageNamespace, messageType, DeviceId, "", 0, 0, 0, EnvelopeFlags.None, payload));
        return room is null ? ValueTask.CompletedTask : new ValueTask(room.WaitAsync(cancellationToken));
    }

    /// <inheritdoc/>
    public bool Post(string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload)
    {
        var envelope = new Envelope(EnvelopeKind.App, messageNamespace, messageType, DeviceId, to, 0, 0, 0, EnvelopeFlags.None, payload);
        // A post never waits (its layer repairs loss); sync has no subscriptions that could ask it to.
        if (to.Length == 0)
        {
            _network.Broadcast(envelope);
            return true;
        }

        return _network.TrySend(to, envelope, out _);
    }

    /// <inheritdoc/>
    public void SetReceiver(string? messageNamespace, IMeshReceiver receiver)
    {
        lock (_receivers)
        {
            if (messageNamespace is null)
            {
                _defaultReceiver = receiver;
            }
            else
            {
                _receivers[messageNamespace] = receiver;
            }
        }
    }

    /// <summary>Leaves the hub: the other devices see this one go offline and leave.</summary>
    public ValueTask DisposeAsync()
    {
        _network.Disconnect(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>An envelope for this device; called by the hub under its delivery lock. Returns what a full waiting receiver asks the sender to wait for.</summary>
    internal Task? Receive(in Envelope envelope)
    {
        IMeshReceiver? receiver;
        lock (_receivers)
        {
            receiver = _receivers.GetValueOrDefault(envelope.Namespace) ?? _defaultReceiver;
        }

        return receiver?.OnEnvelope(envelope);
    }

    internal void OnConnected(TruffleDevice device) => DeviceConnected?.Invoke(this, device);

    internal void OnDisconnected(TruffleDevice device)
    {
        DeviceOffline?.Invoke(this, device with { IsOnline = false });
        DeviceLeft?.Invoke(this, device.Id);
    }
}
