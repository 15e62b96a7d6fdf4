using Microsoft.Extensions.Logging;
using Truffle.Mesh;
using Truffle.Wire;

namespace Truffle.Messaging;

/// <summary>
/// The networked <see cref="IMessageBus"/> (SPEC §6): namespaced pub/sub and request/reply over the mesh. Delivery is
/// at-most-once and in order per sender; every subscription has its own bounded queue, so handlers never hold up a
/// connection's read loop. The namespaces <c>truffle</c>, <c>mesh</c> and <c>sync</c> are reserved for the runtime.
/// </summary>
internal sealed partial class MessageBus : IMessageBus, IMeshReceiver, IAsyncDisposable
{
    private readonly MeshNode _mesh;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _subscriptionLogger;
    private readonly Lock _gate = new();

    // Copy-on-write, so the read loops deliver without taking the lock.
    private Subscription[] _subscriptions = [];
    private bool _disposed;

    public MessageBus(MeshNode mesh, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _mesh = mesh;
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger<MessageBus>();
        _subscriptionLogger = loggerFactory.CreateLogger<Subscription>();
        mesh.SetDefaultReceiver(this);
        mesh.DeviceOffline += OnDeviceOffline;
    }

    /// <inheritdoc/>
    public string LocalDeviceId => _mesh.DeviceId;

    /// <inheritdoc/>
    public ValueTask SendAsync(string deviceId, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        MessageNames.ValidateApplicationNamespace(messageNamespace);
        MessageNames.Validate(messageType);
        MessagePayloads.Validate(payload, _mesh.MaxPayloadBytes);
        ThrowIfDisposed();
        if (deviceId == LocalDeviceId)
        {
            Deliver(new InboundMessage(LocalDeviceId, messageNamespace, messageType, payload.ToArray(), IsBroadcast: false));
            return ValueTask.CompletedTask;
        }

        return _mesh.SendAsync(deviceId, messageNamespace, messageType, payload, EnvelopeFlags.None, 0, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        MessageNames.ValidateApplicationNamespace(messageNamespace);
        MessageNames.Validate(messageType);
        MessagePayloads.Validate(payload, _mesh.MaxPayloadBytes);
        ThrowIfDisposed();
        return _mesh.BroadcastAsync(messageNamespace, messageType, payload, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SubscriptionOptions.Capacity"/> is less than 1.</exception>
    public IDisposable Subscribe(string messageNamespace, string? messageType, Func<InboundMessage, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null)
    {
        MessageNames.ValidateApplicationNamespace(messageNamespace);
        if (messageType is not null)
        {
            MessageNames.Validate(messageType);
        }

        ArgumentNullException.ThrowIfNull(handler);
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

        return new Registration(() =>
        {
            subscription.Dispose();
            lock (_gate)
            {
                _subscriptions = Array.FindAll(_subscriptions, s => !ReferenceEquals(s, subscription));
            }
        });
    }

    /// <inheritdoc/>
    void IMeshReceiver.OnEnvelope(in Envelope envelope)
    {
        if ((envelope.Flags & EnvelopeFlags.Reply) != 0)
        {
            CompleteRequest(envelope);
        }
        else if ((envelope.Flags & EnvelopeFlags.Request) != 0)
        {
            Answer(envelope);
        }
        else
        {
            Deliver(new InboundMessage(envelope.From, envelope.Namespace, envelope.Type, envelope.Payload.ToArray(), envelope.IsBroadcast));
        }
    }

    /// <summary>Stops every subscription (waiting for running handlers) and fails pending requests.</summary>
    public async ValueTask DisposeAsync()
    {
        Subscription[] subscriptions;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscriptions = _subscriptions;
            _subscriptions = [];
            _handlers.Clear();
        }

        _mesh.DeviceOffline -= OnDeviceOffline;
        FailRequests(null, static id => new ObjectDisposedException(nameof(MessageBus), $"The bus closed while a request to '{id}' was pending."));
        foreach (Subscription subscription in subscriptions)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Deliver(in InboundMessage message)
    {
        foreach (Subscription subscription in Volatile.Read(ref _subscriptions))
        {
            if (subscription.Matches(message.Namespace, message.Type))
            {
                subscription.TryEnqueue(message);
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
}
