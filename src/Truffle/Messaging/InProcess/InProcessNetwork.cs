using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Truffle;

/// <summary>
/// A mesh that lives in one process: every device connected to it gets an <see cref="IMessageBus"/> with the same
/// semantics as a networked one, without a sidecar or a network. Use it in tests, samples and single-process tools.
/// </summary>
/// <remarks>
/// Delivery is immediate: a send or broadcast has queued the message on every receiving subscription when its task
/// completes. Messages are delivered in one global order, so two devices that both receive two broadcasts receive
/// them in the same order. Request timeouts run on the <see cref="TimeProvider"/> given here, so tests can use a
/// fake clock.
/// </remarks>
public sealed class InProcessNetwork
{
    private readonly Dictionary<string, InProcessBus> _devices = new(StringComparer.Ordinal);

    // One lock for membership and delivery: holding it while a message is queued on every receiver is what makes
    // the delivery order total. Queueing never blocks and never runs a handler, so the lock is held briefly.
    private readonly Lock _gate = new();

    /// <summary>Creates an empty network.</summary>
    /// <param name="timeProvider">The clock for request timeouts; null for <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where the buses log; null to log nothing.</param>
    public InProcessNetwork(TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The clock request timeouts run on.</summary>
    public TimeProvider TimeProvider { get; }

    internal ILoggerFactory LoggerFactory { get; }

    /// <summary>
    /// Connects a device and returns its bus. The device stays connected until the bus is disposed; its id may
    /// then be connected again.
    /// </summary>
    /// <param name="deviceId">The device id, unique on this network.</param>
    /// <exception cref="ArgumentException"><paramref name="deviceId"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">A device with this id is already connected.</exception>
    public InProcessBus Connect(string deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        lock (_gate)
        {
            if (_devices.ContainsKey(deviceId))
            {
                throw new InvalidOperationException($"Device '{deviceId}' is already connected to this network.");
            }

            var bus = new InProcessBus(this, deviceId);
            _devices.Add(deviceId, bus);
            return bus;
        }
    }

    /// <summary>Whether a device with this id is connected now.</summary>
    public bool IsConnected(string deviceId)
    {
        lock (_gate)
        {
            return _devices.ContainsKey(deviceId);
        }
    }

    internal void Disconnect(InProcessBus bus)
    {
        lock (_gate)
        {
            if (_devices.TryGetValue(bus.LocalDeviceId, out InProcessBus? connected) && ReferenceEquals(connected, bus))
            {
                _devices.Remove(bus.LocalDeviceId);
            }
        }
    }

    internal InProcessBus? Find(string deviceId)
    {
        lock (_gate)
        {
            return _devices.GetValueOrDefault(deviceId);
        }
    }

    /// <summary>Queues a message on one device's matching subscriptions.</summary>
    /// <returns>False if no device with that id is connected; nothing was queued.</returns>
    internal bool TrySend(string deviceId, in InboundMessage message)
    {
        lock (_gate)
        {
            if (!_devices.TryGetValue(deviceId, out InProcessBus? target))
            {
                return false;
            }

            target.Deliver(message);
            return true;
        }
    }

    /// <summary>Queues a message on the matching subscriptions of every device except the sender.</summary>
    internal void Broadcast(in InboundMessage message)
    {
        lock (_gate)
        {
            foreach (InProcessBus target in _devices.Values)
            {
                if (!string.Equals(target.LocalDeviceId, message.From, StringComparison.Ordinal))
                {
                    target.Deliver(message);
                }
            }
        }
    }
}
