using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Truffle.Wire;
using IncomingRequest = Truffle.MessageBus.IncomingRequest;

namespace Truffle.Messaging;

/// <summary>
/// One registered request handler: a bounded queue of requests and <see cref="Concurrency"/> pumps that run the
/// handler on the thread pool, so a read loop never waits for a handler and one busy request type never holds up
/// another. Each run gets a token cancelled when the requester's timeout passes (counted from the request's arrival)
/// or the handler is removed; a request whose timeout passed while it waited is skipped, since nobody waits for it.
/// </summary>
internal sealed partial class RequestHandler : IAsyncDisposable
{
    /// <summary>
    /// Requests that may wait for one handler; more are refused at once with a <see cref="BusyError"/> remote error,
    /// fair by sender: the refused request is one of the sender holding the most (the new one, or its newest waiting).
    /// </summary>
    public const int QueueCapacity = 1024;

    /// <summary>Requests one handler runs at once.</summary>
    public const int Concurrency = 8;

    /// <summary>The remote error type a requester sees when the handler's queue was full.</summary>
    public const string BusyError = "Truffle.ResponderBusy";

    private readonly Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> _handler;
    private readonly Func<InboundMessage, ulong, EnvelopeFlags, ReadOnlyMemory<byte>, Task> _reply;
    private readonly int _maxReplyBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly HandlerQueue<IncomingRequest> _queue;
    private readonly KeyValuePair<string, object?> _namespaceTag;

    /// <param name="messageNamespace">The namespace of the requests it answers.</param>
    /// <param name="handler">The application's handler.</param>
    /// <param name="reply">Sends the outcome of one request back: (request, correlation, flags, payload); never throws.</param>
    /// <param name="maxReplyBytes">The longest reply that can travel; a longer one is the handler's error.</param>
    /// <param name="time">The clock of the requesters' timeouts.</param>
    /// <param name="logger">Where handler failures and skipped requests are logged.</param>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter (the process-wide ones when null).</param>
    public RequestHandler(
        string messageNamespace,
        Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler,
        Func<InboundMessage, ulong, EnvelopeFlags, ReadOnlyMemory<byte>, Task> reply,
        int maxReplyBytes,
        TimeProvider time,
        ILogger logger,
        TruffleMetrics? metrics = null)
    {
        _handler = handler;
        _reply = reply;
        _metrics = metrics ?? TruffleMetrics.Shared;
        _maxReplyBytes = maxReplyBytes;
        _time = time;
        _logger = logger;
        _namespaceTag = new KeyValuePair<string, object?>("namespace", messageNamespace);
        _queue = new HandlerQueue<IncomingRequest>(QueueCapacity, BoundedChannelFullMode.Wait, Concurrency, static r => r.Message.From, RunAsync, Evicted);
    }

    /// <summary>Queues a request without waiting; false when the queue is full or the handler was removed.</summary>
    public bool TryEnqueue(in IncomingRequest request) => _queue.TryEnqueue(request);

    /// <summary>Stops taking requests: queued ones are discarded (their requesters time out, or fail when this device
    /// leaves), running ones see their token cancelled. Idempotent.</summary>
    public void Dispose() => _queue.Dispose();

    /// <summary>Disposes, then waits until running handlers have returned. Do not await it from a handler.</summary>
    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private async ValueTask RunAsync(IncomingRequest request, CancellationToken stopping)
    {
        InboundMessage message = request.Message;
        using Activity? activity = TruffleTracing.StartHandler(message, ActivityKind.Server);
        TimeSpan left = Timeout.InfiniteTimeSpan;
        if (request.TimeoutMs != 0)
        {
            left = TimeSpan.FromMilliseconds(request.TimeoutMs) - _time.GetElapsedTime(request.ReceivedAt);
            if (left <= TimeSpan.Zero)
            {
                _metrics.RequestsExpired.Add(1, _namespaceTag);
                Log.Expired(_logger, message.Namespace, message.Type, message.From);
                return;
            }
        }

        using var deadline = left == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(left, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);
        ReadOnlyMemory<byte> reply;
        EnvelopeFlags flags = EnvelopeFlags.Reply;
        try
        {
            reply = await _handler(message, either.Token).ConfigureAwait(false);
            if (reply.Length > _maxReplyBytes)
            {
                // It cannot travel; the requester gets a remote error now instead of a timeout later.
                throw new InvalidOperationException(MessagePayloads.TooLarge("The reply", reply.Length, _maxReplyBytes));
            }
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            // The requester stopped waiting (or the handler was removed): nobody reads an answer.
            _metrics.RequestsExpired.Add(1, _namespaceTag);
            Log.Expired(_logger, message.Namespace, message.Type, message.From);
            return;
        }
#pragma warning disable CA1031 // a handler's exception goes back to the requester as a remote error
        catch (Exception e)
#pragma warning restore CA1031
        {
            TruffleTracing.Fail(activity, e);
            _metrics.HandlerErrors.Add(1, _namespaceTag);
            Log.Failed(_logger, message.Namespace, message.Type, message.From, e);
            flags |= EnvelopeFlags.RemoteError;
            reply = RemoteErrors.Encode(e.GetType().FullName ?? e.GetType().Name, e.Message);
        }

        await _reply(message, request.Correlation, flags, reply).ConfigureAwait(false);
    }

    /// <summary>
    /// A full queue made room for a request from a sender that holds fewer by evicting the newest request of the
    /// sender that holds the most: that requester hears "busy" at once, as if it had been refused on arrival.
    /// </summary>
    private void Evicted(IncomingRequest request)
    {
        InboundMessage message = request.Message;
        _metrics.RequestsRefused.Add(1, _namespaceTag);
        Log.Evicted(_logger, message.Namespace, message.Type, message.From);
        string text = $"The responder's queue for {message.Namespace}/{message.Type} is full ({QueueCapacity} requests waiting); try again later.";
        _ = _reply(message, request.Correlation, EnvelopeFlags.Reply | EnvelopeFlags.RemoteError, RemoteErrors.Encode(BusyError, text));
    }

    private static partial class Log
    {
        [LoggerMessage(7103, LogLevel.Warning, "The request queue for {Namespace}/{Type} is full; a waiting request from {From}, the sender holding the most, was refused to make room")]
        public static partial void Evicted(ILogger logger, string @namespace, string type, string from);

        [LoggerMessage(7101, LogLevel.Error, "The request handler for {Namespace}/{Type} from {From} threw; the requester gets a remote error")]
        public static partial void Failed(ILogger logger, string @namespace, string type, string from, Exception exception);

        [LoggerMessage(7102, LogLevel.Debug, "The request {Namespace}/{Type} from {From} expired (the requester's timeout passed); no reply is sent")]
        public static partial void Expired(ILogger logger, string @namespace, string type, string from);
    }
}
