using Microsoft.Extensions.Logging;
using Truffle.Messaging;

namespace Truffle;

/// <summary>
/// The <see cref="IMessageBus"/> of one device on an <see cref="InProcessNetwork"/>. Dispose it to disconnect the
/// device: its subscriptions stop, its request handlers are removed, and messages to it fail as unreachable.
/// </summary>
public sealed partial class InProcessBus : IMessageBus, IDisposable, IAsyncDisposable
{
    private readonly InProcessNetwork _network;
    private readonly ILogger _logger;
    private readonly ILogger _subscriptionLogger;

    // Guards the handler table, changes to the subscription array and the disposed flag.
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Namespace, string Type), Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>>> _handlers = [];

    // Copy-on-write, so the network can deliver without taking this bus's lock.
    private Subscription[] _subscriptions = [];
    private bool _disposed;

    internal InProcessBus(InProcessNetwork network, string deviceId)
    {
        _network = network;
        LocalDeviceId = deviceId;
        _logger = network.LoggerFactory.CreateLogger<InProcessBus>();
        _subscriptionLogger = network.LoggerFactory.CreateLogger<Subscription>();
    }

    /// <inheritdoc />
    public string LocalDeviceId { get; }

    /// <inheritdoc />
    public ValueTask SendAsync(string deviceId, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        MessageNames.Validate(messageNamespace);
        MessageNames.Validate(messageType);
        MessagePayloads.Validate(payload, MessagePayloads.DefaultMaxBytes);
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        var message = new InboundMessage(LocalDeviceId, messageNamespace, messageType, payload.ToArray(), IsBroadcast: false);
        return _network.TrySend(deviceId, message)
            ? ValueTask.CompletedTask
            : ValueTask.FromException(new DeviceUnreachableException(deviceId));
    }

    /// <inheritdoc />
    public ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        MessageNames.Validate(messageNamespace);
        MessageNames.Validate(messageType);
        MessagePayloads.Validate(payload, MessagePayloads.DefaultMaxBytes);
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        _network.Broadcast(new InboundMessage(LocalDeviceId, messageNamespace, messageType, payload.ToArray(), IsBroadcast: true));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SubscriptionOptions.Capacity"/> is less than 1.</exception>
    public IDisposable Subscribe(string messageNamespace, string? messageType, Func<InboundMessage, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null)
    {
        MessageNames.Validate(messageNamespace);
        if (messageType is not null)
        {
            MessageNames.Validate(messageType);
        }

        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfDisposed();

        var subscription = new Subscription(messageNamespace, messageType, handler, options, _subscriptionLogger);
        lock (_gate)
        {
            if (_disposed)
            {
                subscription.Dispose();
                ThrowIfDisposed();
            }

            _subscriptions = [.. _subscriptions, subscription];
        }

        return new Registration(() => Unsubscribe(subscription));
    }

    /// <summary>
    /// Disconnects the device: removes it from the network, stops its subscriptions (discarding queued messages)
    /// and removes its request handlers. Safe to call more than once.
    /// </summary>
    public void Dispose()
    {
        foreach (Subscription subscription in Close())
        {
            subscription.Dispose();
        }
    }

    /// <summary>Like <see cref="Dispose"/>, and also waits until running subscription handlers have returned.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (Subscription subscription in Close())
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Queues a message on every matching subscription; called by the network under its delivery lock.</summary>
    internal void Deliver(in InboundMessage message)
    {
        foreach (Subscription subscription in Volatile.Read(ref _subscriptions))
        {
            if (subscription.Matches(message.Namespace, message.Type))
            {
                subscription.TryEnqueue(message);
            }
        }
    }

    private Subscription[] Close()
    {
        Subscription[] subscriptions;
        lock (_gate)
        {
            if (_disposed)
            {
                return [];
            }

            _disposed = true;
            subscriptions = _subscriptions;
            _subscriptions = [];
            _handlers.Clear();
        }

        _network.Disconnect(this);
        return subscriptions;
    }

    private void Unsubscribe(Subscription subscription)
    {
        subscription.Dispose();
        lock (_gate)
        {
            _subscriptions = Array.FindAll(_subscriptions, s => !ReferenceEquals(s, subscription));
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
}
