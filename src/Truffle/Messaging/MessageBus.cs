using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Truffle.Mesh;
using Truffle.Messaging;
using Truffle.Wire;

namespace Truffle;

/// <summary>
/// The message bus of one device (SPEC §6): namespaced pub/sub and request/reply over the mesh. It is
/// <see cref="TruffleNode.Bus"/> of a networked node, and what <see cref="InProcessNetwork.Connect"/> gives each
/// device of a process-local mesh: the same class, so an app's handlers behave the same in tests as on a network.
/// </summary>
/// <remarks>
/// Delivery is at-most-once and in order per sender; every subscription and every request handler has its own
/// bounded queue, so handlers never hold up the network. The namespaces <c>truffle</c>, <c>mesh</c> and <c>sync</c>
/// are reserved for the runtime. Disposing stops every subscription and handler and fails pending requests.
/// </remarks>
public sealed partial class MessageBus : IMessageBus, IMeshReceiver, IAsyncDisposable
{
    private readonly IMeshEndpoint _endpoint;
    private readonly IAsyncDisposable? _ownedEndpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly ILogger _subscriptionLogger;
    private readonly ILogger _handlerLogger;
    private readonly Lock _gate = new();

    // Copy-on-write, so the read loops deliver without taking the lock.
    private Subscription[] _subscriptions = [];
    private readonly Dictionary<(string Namespace, string Type), RequestHandler> _handlers = [];
    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();
    private long _correlation;
    private bool _disposed;

    /// <param name="endpoint">The mesh (or the in-process hub) this bus sends through and receives from.</param>
    /// <param name="timeProvider">The clock of request timeouts and handler deadlines.</param>
    /// <param name="loggerFactory">Where the bus, its subscriptions and handlers log.</param>
    /// <param name="ownedEndpoint">Disposed with the bus (an in-process device leaves its hub); null when the endpoint has another owner.</param>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter (the process-wide ones when null).</param>
    internal MessageBus(IMeshEndpoint endpoint, TimeProvider timeProvider, ILoggerFactory loggerFactory, IAsyncDisposable? ownedEndpoint = null, TruffleMetrics? metrics = null)
    {
        _endpoint = endpoint;
        _ownedEndpoint = ownedEndpoint;
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger<MessageBus>();
        _metrics = metrics ?? TruffleMetrics.Shared;
        _subscriptionLogger = loggerFactory.CreateLogger<Subscription>();
        _handlerLogger = loggerFactory.CreateLogger<RequestHandler>();
        endpoint.SetReceiver(null, this);
        endpoint.DeviceOffline += OnDeviceOffline;
    }

    /// <inheritdoc/>
    public string LocalDeviceId => _endpoint.DeviceId;

    /// <inheritdoc/>
    public ValueTask SendAsync(string deviceId, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ValidateOutgoing(messageNamespace, messageType, payload);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (deviceId == LocalDeviceId)
        {
            Task? room = Deliver(new InboundMessage(LocalDeviceId, messageNamespace, messageType, payload.ToArray(), IsBroadcast: false)
            {
                Trace = Activity.Current?.Context ?? default,
            });
            return room is null ? ValueTask.CompletedTask : new ValueTask(room.WaitAsync(cancellationToken));
        }

        return TruffleTracing.Source.HasListeners()
            ? SendTracedAsync(deviceId, messageNamespace, messageType, payload, cancellationToken)
            : _endpoint.SendAsync(deviceId, messageNamespace, messageType, payload, Correlation.None, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ValidateOutgoing(messageNamespace, messageType, payload);
        return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken)
            : TruffleTracing.Source.HasListeners() ? SendTracedAsync(to: "", messageNamespace, messageType, payload, cancellationToken)
            : _endpoint.BroadcastAsync(messageNamespace, messageType, payload, cancellationToken);
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
        ThrowIfDisposed();
        var subscription = new Subscription(messageNamespace, messageType, handler, options, _subscriptionLogger, _metrics);
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
    Task? IMeshReceiver.OnEnvelope(in Envelope envelope)
    {
        using Activity? deliver = TruffleTracing.StartDeliver(envelope);
        ActivityContext trace = deliver?.Context ?? default;
        if ((envelope.Flags & EnvelopeFlags.Reply) != 0)
        {
            Complete(envelope.CorrelationId, envelope.From, envelope.Namespace, envelope.Type, envelope.Flags, envelope.Payload);
        }
        else if ((envelope.Flags & EnvelopeFlags.Request) != 0)
        {
            CountIfUnknown(envelope.Namespace, envelope.Type);
            var request = new InboundMessage(envelope.From, envelope.Namespace, envelope.Type, envelope.Payload.ToArray(), IsBroadcast: false)
            {
                Trace = trace,
            };
            Answer(request, envelope.CorrelationId, envelope.TimeoutMs);
        }
        else
        {
            CountIfUnknown(envelope.Namespace, envelope.Type);
            return Deliver(new InboundMessage(envelope.From, envelope.Namespace, envelope.Type, envelope.Payload.ToArray(), envelope.IsBroadcast)
            {
                Trace = trace,
            });
        }

        return null;
    }

    /// <summary>
    /// Stops every subscription and request handler (discarding what they have queued; their handlers' tokens are
    /// cancelled), fails pending requests, leaves the in-process hub when the bus belongs to one, and waits until
    /// running handlers have returned. Safe to call more than once; do not await it from inside a handler.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Subscription[] subscriptions;
        RequestHandler[] handlers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscriptions = _subscriptions;
            _subscriptions = [];
            handlers = [.. _handlers.Values];
            _handlers.Clear();
        }

        _endpoint.DeviceOffline -= OnDeviceOffline;
        FailRequests(null, static id => new ObjectDisposedException(nameof(MessageBus), $"The bus closed while a request to '{id}' was pending."));
        foreach (Subscription subscription in subscriptions)
        {
            subscription.Dispose();
        }

        foreach (RequestHandler handler in handlers)
        {
            handler.Dispose();
        }

        if (_ownedEndpoint is not null)
        {
            await _ownedEndpoint.DisposeAsync().ConfigureAwait(false);
        }

        foreach (Subscription subscription in subscriptions)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        foreach (RequestHandler handler in handlers)
        {
            await handler.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A send or broadcast (<paramref name="to"/> empty) inside its span, which the envelope carries.</summary>
    private async ValueTask SendTracedAsync(
        string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        using Activity? activity = TruffleTracing.StartSend(messageNamespace, messageType, to);
        try
        {
            if (to.Length == 0)
            {
                await _endpoint.BroadcastAsync(messageNamespace, messageType, payload, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _endpoint.SendAsync(to, messageNamespace, messageType, payload, Correlation.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            TruffleTracing.Fail(activity, e);
            throw;
        }
    }

    private void ValidateOutgoing(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload)
    {
        MessageNames.ValidateApplicationNamespace(messageNamespace);
        MessageNames.Validate(messageType);
        MessagePayloads.Validate(payload, _endpoint.MaxPayloadBytes);
        ThrowIfDisposed();
    }

    /// <summary>Queues the message on every matching subscription; null, or the room that full waiting subscriptions need.</summary>
    private Task? Deliver(in InboundMessage message)
    {
        Task? room = null;
        foreach (Subscription subscription in Volatile.Read(ref _subscriptions))
        {
            if (subscription.Matches(message.Namespace, message.Type)
                && subscription.TryEnqueue(message, out Task? full) && full is not null)
            {
                room = room is null ? full : Task.WhenAll(room, full);
            }
        }

        return room;
    }

    /// <summary>Counts a message whose type no generated assembly here declares: a sender on another version, usually.</summary>
    private void CountIfUnknown(string messageNamespace, string messageType)
    {
        if (!WireSchemas.Knows(messageNamespace, messageType))
        {
            _metrics.UnknownMessages.Add(
                1, new KeyValuePair<string, object?>("namespace", messageNamespace), new KeyValuePair<string, object?>("type", messageType));
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
}
