using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Messaging;

namespace Truffle;

/// <summary>
/// A mesh that lives in one process, for testing an app's handlers without a sidecar or a network: every device
/// connected to it gets a <see cref="MessageBus"/>, the very class a networked <see cref="TruffleNode"/> uses, so
/// validation, reserved namespaces, queues, request deadlines and failures behave exactly as they do there.
/// </summary>
/// <remarks>
/// The network itself is only a hub: a send queues the message on the receiving device's subscriptions before its
/// task completes, and every message is delivered in one global order, so two devices that both receive two
/// broadcasts receive them in the same order (as through a primary). Request timeouts and handler deadlines run on
/// the <see cref="TimeProvider"/> given here, so tests can use a fake clock.
/// </remarks>
public sealed class InProcessNetwork
{
    private readonly Dictionary<string, InProcessEndpoint> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _incarnations = new(StringComparer.Ordinal);

    // One lock for membership and delivery: holding it while a message is queued on every receiver is what makes
    // the delivery order total. Queueing never blocks and never runs a handler, so the lock is held briefly.
    private readonly Lock _gate = new();
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates an empty network.</summary>
    /// <param name="timeProvider">The clock for request timeouts; null for <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where the buses log; null to log nothing.</param>
    public InProcessNetwork(TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The clock request timeouts run on.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Connects a device and returns its bus. The device stays connected until the bus is disposed: its subscriptions
    /// and handlers stop, requests waiting for it fail with <see cref="DeviceUnreachableException"/>, and its id may
    /// then be connected again.
    /// </summary>
    /// <param name="deviceId">The device id, unique on this network.</param>
    /// <exception cref="ArgumentException"><paramref name="deviceId"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">A device with this id is already connected.</exception>
    public MessageBus Connect(string deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        InProcessEndpoint endpoint;
        InProcessEndpoint[] others;
        lock (_gate)
        {
            if (_devices.ContainsKey(deviceId))
            {
                throw new InvalidOperationException($"Device '{deviceId}' is already connected to this network.");
            }

            ulong incarnation = _incarnations[deviceId] = _incarnations.GetValueOrDefault(deviceId) + 1;
            endpoint = new InProcessEndpoint(this, deviceId, incarnation);
            others = [.. _devices.Values];
            _devices.Add(deviceId, endpoint);
        }

        foreach (InProcessEndpoint other in others)
        {
            other.OnConnected(endpoint.Device);
            endpoint.OnConnected(other.Device);
        }

        return new MessageBus(endpoint, TimeProvider, _loggerFactory, ownedEndpoint: endpoint);
    }

    /// <summary>Whether a device with this id is connected now.</summary>
    public bool IsConnected(string deviceId)
    {
        lock (_gate)
        {
            return _devices.ContainsKey(deviceId);
        }
    }

    /// <summary>
    /// Hands an envelope to one device's receiver; false when no device with that id is connected. <paramref name="room"/>
    /// is what a full waiting receiver asks the sender to wait for (see <see cref="Mesh.IMeshReceiver.OnEnvelope"/>).
    /// </summary>
    internal bool TrySend(string to, in Wire.Envelope envelope, out Task? room)
    {
        lock (_gate)
        {
            if (!_devices.TryGetValue(to, out InProcessEndpoint? target))
            {
                room = null;
                return false;
            }

            room = target.Receive(envelope);
            return true;
        }
    }

    /// <summary>Hands an envelope to every device's receiver except its sender's; returns what full waiting receivers ask the sender to wait for.</summary>
    internal Task? Broadcast(in Wire.Envelope envelope)
    {
        Task? room = null;
        lock (_gate)
        {
            foreach (InProcessEndpoint target in _devices.Values)
            {
                if (!string.Equals(target.DeviceId, envelope.From, StringComparison.Ordinal) && target.Receive(envelope) is { } full)
                {
                    room = room is null ? full : Task.WhenAll(room, full);
                }
            }
        }

        return room;
    }

    internal void Disconnect(InProcessEndpoint endpoint)
    {
        InProcessEndpoint[] others;
        lock (_gate)
        {
            if (!_devices.TryGetValue(endpoint.DeviceId, out InProcessEndpoint? connected) || !ReferenceEquals(connected, endpoint))
            {
                return;
            }

            _devices.Remove(endpoint.DeviceId);
            others = [.. _devices.Values];
        }

        foreach (InProcessEndpoint other in others)
        {
            other.OnDisconnected(endpoint.Device);
        }
    }
}
