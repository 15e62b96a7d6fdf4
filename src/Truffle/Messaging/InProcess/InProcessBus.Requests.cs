using Microsoft.Extensions.Logging;
using Truffle.Messaging;
using Truffle.Wire;

namespace Truffle;

/// <content>Request/reply: the requester waits on its own clock, the responder's handler runs on the thread pool.</content>
public sealed partial class InProcessBus
{
    // The longest delay a CancellationTokenSource timer accepts.
    private static readonly TimeSpan s_maxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    public ValueTask<ReadOnlyMemory<byte>> RequestAsync(string deviceId, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        MessageNames.Validate(messageNamespace);
        MessageNames.Validate(messageType);
        MessagePayloads.Validate(payload, MessagePayloads.DefaultMaxBytes);
        if (timeout != Timeout.InfiniteTimeSpan && (timeout <= TimeSpan.Zero || timeout > s_maxTimeout))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReadOnlyMemory<byte>>(cancellationToken);
        }

        InProcessBus? responder = _network.Find(deviceId);
        if (responder is null)
        {
            return ValueTask.FromException<ReadOnlyMemory<byte>>(new DeviceUnreachableException(deviceId));
        }

        var handler = responder.FindHandler(messageNamespace, messageType);
        if (handler is null)
        {
            return ValueTask.FromException<ReadOnlyMemory<byte>>(new NoResponderException(deviceId, messageNamespace, messageType));
        }

        var request = new InboundMessage(LocalDeviceId, messageNamespace, messageType, payload.ToArray(), IsBroadcast: false);
        return AwaitReplyAsync(responder, handler, request, timeout, cancellationToken);
    }

    /// <inheritdoc />
    public IDisposable Handle(string messageNamespace, string messageType, Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler)
    {
        MessageNames.Validate(messageNamespace);
        MessageNames.Validate(messageType);
        ArgumentNullException.ThrowIfNull(handler);

        var key = (messageNamespace, messageType);
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_handlers.TryAdd(key, handler))
            {
                throw new InvalidOperationException(
                    $"A handler for {messageNamespace}/{messageType} is already registered on device '{LocalDeviceId}'.");
            }
        }

        return new Registration(() =>
        {
            lock (_gate)
            {
                if (_handlers.TryGetValue(key, out var registered) && ReferenceEquals(registered, handler))
                {
                    _handlers.Remove(key);
                }
            }
        });
    }

    private Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>>? FindHandler(string messageNamespace, string messageType)
    {
        lock (_gate)
        {
            return _handlers.GetValueOrDefault((messageNamespace, messageType));
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> AwaitReplyAsync(
        InProcessBus responder,
        Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler,
        InboundMessage request,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeoutSource = timeout == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(timeout, _network.TimeProvider);
        using var abandoned = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);

        // On the thread pool, as a remote handler would be: never inline on the caller's stack.
        Task<ReadOnlyMemory<byte>> reply = Task.Run(() => responder.AnswerAsync(handler, request, abandoned.Token), CancellationToken.None);
        try
        {
            return await reply.WaitAsync(abandoned.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The request was cancelled.", e, cancellationToken);
        }
        catch (OperationCanceledException e) when (timeoutSource.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Device '{request.From}' got no reply from '{responder.LocalDeviceId}' to {request.Namespace}/{request.Type} within {timeout}.", e);
        }
    }

    /// <summary>Runs a request handler as the responding device and copies its reply.</summary>
    private async Task<ReadOnlyMemory<byte>> AnswerAsync(
        Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler,
        InboundMessage request,
        CancellationToken abandoned)
    {
        try
        {
            ReadOnlyMemory<byte> reply = await handler(request, abandoned).ConfigureAwait(false);
            if (reply.Length > MessagePayloads.DefaultMaxBytes)
            {
                // As over the network: a reply that cannot travel is the handler's error.
                throw new InvalidOperationException(MessagePayloads.TooLarge("The reply", reply.Length, MessagePayloads.DefaultMaxBytes));
            }

            return reply.ToArray();
        }
        catch (OperationCanceledException) when (abandoned.IsCancellationRequested)
        {
            Log.RequestAbandoned(_logger, request.Namespace, request.Type, request.From);
            throw;
        }
        catch (Exception e)
        {
            // Any exception from a handler goes back to the caller; none may escape as a hang.
            TruffleMetrics.HandlerErrors.Add(1, new KeyValuePair<string, object?>("namespace", request.Namespace));
            Log.RequestHandlerFailed(_logger, request.Namespace, request.Type, request.From, e);
            // Nobody waits for the reply once abandoned: end cancelled rather than leave an unobserved fault.
            abandoned.ThrowIfCancellationRequested();

            Type type = e.GetType();
            throw new RemoteHandlerException(LocalDeviceId, type.FullName ?? type.Name, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(200, LogLevel.Error, "The request handler for {Namespace}/{Type} from {From} threw; the caller gets a remote error")]
        public static partial void RequestHandlerFailed(ILogger logger, string @namespace, string type, string from, Exception exception);

        [LoggerMessage(201, LogLevel.Debug, "The request {Namespace}/{Type} from {From} was abandoned (timeout or cancellation) while its handler ran")]
        public static partial void RequestAbandoned(ILogger logger, string @namespace, string type, string from);
    }
}
