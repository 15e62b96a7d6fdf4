using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Messaging;

/// <summary>
/// One subscription: a bounded queue and one pump that hands queued messages to the handler, one at a time, on the
/// thread pool. Enqueueing never blocks and never runs the handler, so the code that delivers messages (a network
/// read loop, or the in-process hub) is never held up by a slow handler.
/// </summary>
/// <remarks>
/// <para>
/// When the queue is full the <see cref="SubscriptionOptions.Overflow"/> policy drops a message of the sender that
/// holds the most queued messages (fair by sender: one device's flood cannot push another's messages out); every drop is
/// counted in <see cref="TruffleMetrics.MessagesDropped"/> (tag <c>namespace</c>). Drops are logged as a warning on
/// the first drop and then once every <see cref="DropLogInterval"/> drops, so a flooded subscription cannot flood
/// the log as well. <see cref="OverflowPolicy.Wait"/> drops nothing: it tells the deliverer to pause instead.
/// </para>
/// <para>
/// The subscription does not own the payloads it queues: a caller that passes pooled memory must keep it alive
/// until the message has been handled, dropped or discarded.
/// </para>
/// </remarks>
internal sealed partial class Subscription : IDisposable, IAsyncDisposable
{
    /// <summary>After the first drop, one warning is logged per this many drops.</summary>
    internal const int DropLogInterval = 1000;

    private readonly Func<InboundMessage, CancellationToken, ValueTask> _handler;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly HandlerQueue<InboundMessage> _queue;
    private readonly KeyValuePair<string, object?> _namespaceTag;
    private long _dropped;
    private Task? _lastRoom;

    /// <summary>Creates the subscription and starts its pump.</summary>
    /// <param name="messageNamespace">The namespace this subscription receives.</param>
    /// <param name="messageType">The one type it receives, or null for every type in the namespace.</param>
    /// <param name="handler">Called once per message, never concurrently.</param>
    /// <param name="options">Queue capacity and overflow policy; null for <see cref="SubscriptionOptions.Default"/>.</param>
    /// <param name="logger">Where drops and handler failures are logged.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SubscriptionOptions.Capacity"/> is less than 1.</exception>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter (the process-wide ones when null).</param>
    public Subscription(
        string messageNamespace,
        string? messageType,
        Func<InboundMessage, CancellationToken, ValueTask> handler,
        SubscriptionOptions? options,
        ILogger logger,
        TruffleMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(messageNamespace);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        options ??= SubscriptionOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1, nameof(options));

        Namespace = messageNamespace;
        Type = messageType;
        Options = options;
        _handler = handler;
        _logger = logger;
        _metrics = metrics ?? TruffleMetrics.Shared;
        _namespaceTag = new KeyValuePair<string, object?>("namespace", messageNamespace);
        BoundedChannelFullMode fullMode = options.Overflow == OverflowPolicy.DropNewest ? BoundedChannelFullMode.DropWrite : BoundedChannelFullMode.DropOldest;
        _queue = new HandlerQueue<InboundMessage>(options.Capacity, fullMode, pumps: 1, static m => m.From, InvokeAsync, OnDropped);
    }

    /// <summary>The namespace this subscription receives.</summary>
    public string Namespace { get; }

    /// <summary>The one type it receives, or null for every type in <see cref="Namespace"/>.</summary>
    public string? Type { get; }

    /// <summary>The queue capacity and overflow policy in force.</summary>
    public SubscriptionOptions Options { get; }

    /// <summary>How many messages the overflow policy has dropped so far.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>True once <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => _queue.IsDisposed;

    /// <summary>Whether a message with this namespace and type is for this subscription.</summary>
    public bool Matches(string messageNamespace, string messageType) =>
        string.Equals(Namespace, messageNamespace, StringComparison.Ordinal)
        && (Type is null || string.Equals(Type, messageType, StringComparison.Ordinal));

    /// <summary>
    /// Queues a message for the handler without blocking. A full queue applies the overflow policy: the drop policies
    /// may drop this message or an older one (counted either way); <see cref="OverflowPolicy.Wait"/> queues it anyway
    /// and sets <paramref name="room"/>, the task the deliverer must wait for before it delivers more.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="room">Null, or (with <see cref="OverflowPolicy.Wait"/>, when the queue is full) a task that completes once the queue has room again.</param>
    /// <returns>False if the subscription is disposed; the message is then ignored.</returns>
    public bool TryEnqueue(in InboundMessage message, out Task? room)
    {
        if (Options.Overflow == OverflowPolicy.Wait)
        {
            bool queued = _queue.TryEnqueueOverBound(message, out room);

            // One room per time the queue fills: counted once, however many messages arrive before the pause.
            if (room is not null && !ReferenceEquals(Interlocked.Exchange(ref _lastRoom, room), room))
            {
                _metrics.MessagesWaited.Add(1, _namespaceTag);
            }

            return queued;
        }

        room = null;
        return _queue.TryEnqueue(message);
    }

    /// <summary>Queues a message for a deliverer that never pauses (see the other overload).</summary>
    public bool TryEnqueue(in InboundMessage message) => TryEnqueue(message, out _);

    /// <summary>
    /// Stops the pump: the handler's token is cancelled, queued messages are discarded and no more are accepted.
    /// Safe to call more than once and from inside the handler.
    /// </summary>
    public void Dispose() => _queue.Dispose();

    /// <summary>
    /// Disposes, then waits until the handler has returned from the message it was handling, if any. Do not await
    /// it from inside the handler: the pump would wait for itself.
    /// </summary>
    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private async ValueTask InvokeAsync(InboundMessage message, CancellationToken stopping)
    {
        _metrics.MessagesDelivered.Add(1, _namespaceTag);
        using Activity? activity = TruffleTracing.StartHandler(message, ActivityKind.Consumer);
        try
        {
            await _handler(message, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The subscription was disposed while the handler ran; that is not a handler failure.
        }
        catch (TruffleSerializationException e)
        {
            TruffleTracing.Fail(activity, e);
            _metrics.DecodeErrors.Add(1, _namespaceTag);
            Log.DecodeFailed(_logger, message.Namespace, message.Type, message.From, e);
        }
        catch (Exception e)
        {
            // A handler may throw anything; the pump survives it, counts it and goes on.
            TruffleTracing.Fail(activity, e);
            _metrics.HandlerErrors.Add(1, _namespaceTag);
            Log.HandlerFailed(_logger, message.Namespace, message.Type, message.From, e);
        }
    }

    private void OnDropped(InboundMessage message)
    {
        _metrics.MessagesDropped.Add(1, _namespaceTag);
        long dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % DropLogInterval == 0)
        {
            Log.QueueFull(_logger, Namespace, Type ?? "*", Options.Capacity, Options.Overflow, dropped);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(100, LogLevel.Warning, "Subscription {Namespace}/{Type} is full (capacity {Capacity}, policy {Policy}); {Dropped} messages dropped so far")]
        public static partial void QueueFull(ILogger logger, string @namespace, string type, int capacity, OverflowPolicy policy, long dropped);

        [LoggerMessage(101, LogLevel.Warning, "Could not decode {Namespace}/{Type} from {From}; the message was skipped")]
        public static partial void DecodeFailed(ILogger logger, string @namespace, string type, string from, Exception exception);

        [LoggerMessage(102, LogLevel.Error, "The handler for {Namespace}/{Type} from {From} threw; the subscription goes on")]
        public static partial void HandlerFailed(ILogger logger, string @namespace, string type, string from, Exception exception);
    }
}
