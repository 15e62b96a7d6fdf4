using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Truffle.Messaging;
using Truffle.Wire;

namespace Truffle;

/// <content>
/// Request/reply: a request carries a correlation id and the requester's timeout; the responder's handler runs from
/// its own bounded queue with a token cancelled when that timeout passes, and its reply, "no responder" or error
/// comes back with the same id. A request fails at once when its target goes offline, and on the requester's clock
/// when no answer comes.
/// </content>
public sealed partial class MessageBus
{
    // The longest delay a CancellationTokenSource timer accepts.
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> RequestAsync(
        string deviceId, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ValidateOutgoing(messageNamespace, messageType, payload);
        if (timeout != Timeout.InfiniteTimeSpan && (timeout <= TimeSpan.Zero || timeout > MaxTimeout))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        using Activity? activity = TruffleTracing.StartRequest(messageNamespace, messageType, deviceId);
        ulong correlation = (ulong)Interlocked.Increment(ref _correlation);
        uint timeoutMs = timeout == Timeout.InfiniteTimeSpan ? 0 : (uint)Math.Max(1, Math.Ceiling(timeout.TotalMilliseconds));
        var pending = new PendingRequest(deviceId);
        _pending[correlation] = pending;
        using var timeoutSource = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, _time);
        try
        {
            if (deviceId == LocalDeviceId)
            {
                var request = new InboundMessage(LocalDeviceId, messageNamespace, messageType, payload.ToArray(), IsBroadcast: false)
                {
                    Trace = activity?.Context ?? default,
                };
                Answer(request, correlation, timeoutMs);
            }
            else
            {
                await _endpoint.SendAsync(
                    deviceId, messageNamespace, messageType, payload, new Correlation(EnvelopeFlags.Request, correlation, timeoutMs), cancellationToken)
                    .ConfigureAwait(false);
            }

            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            return await pending.Reply.Task.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            // The caller's own token, not the linked one it was waited with.
            TruffleTracing.Fail(activity, e);
            throw new OperationCanceledException("The request was cancelled.", e, cancellationToken);
        }
        catch (OperationCanceledException e) when (timeoutSource.IsCancellationRequested)
        {
            var timedOut = new TimeoutException($"No reply from device '{deviceId}' to {messageNamespace}/{messageType} within {timeout}.", e);
            TruffleTracing.Fail(activity, timedOut);
            throw timedOut;
        }
        catch (Exception e) when (activity is not null)
        {
            TruffleTracing.Fail(activity, e);
            throw;
        }
        finally
        {
            _pending.TryRemove(correlation, out _);
        }
    }

    /// <inheritdoc/>
    public IDisposable Handle(string messageNamespace, string messageType, Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler)
    {
        MessageNames.ValidateApplicationNamespace(messageNamespace);
        MessageNames.Validate(messageType);
        ArgumentNullException.ThrowIfNull(handler);
        var key = (messageNamespace, messageType);
        RequestHandler registered;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_handlers.ContainsKey(key))
            {
                throw new InvalidOperationException($"A handler for {messageNamespace}/{messageType} is already registered on device '{LocalDeviceId}'.");
            }

            registered = new RequestHandler(messageNamespace, handler, ReplyAsync, _endpoint.MaxPayloadBytes, _time, _handlerLogger, _metrics);
            _handlers.Add(key, registered);
        }

        return new Registration(() =>
        {
            lock (_gate)
            {
                if (_handlers.TryGetValue(key, out RequestHandler? current) && ReferenceEquals(current, registered))
                {
                    _handlers.Remove(key);
                }
            }

            registered.Dispose();
        });
    }

    /// <summary>A request arrived (from another device, or from this one): queue it for its handler, or answer "no responder".</summary>
    private void Answer(in InboundMessage request, ulong correlation, uint timeoutMs)
    {
        RequestHandler? handler;
        lock (_gate)
        {
            handler = _handlers.GetValueOrDefault((request.Namespace, request.Type));
        }

        if (handler is null)
        {
            _ = ReplyAsync(request, correlation, EnvelopeFlags.Reply | EnvelopeFlags.NoResponder, ReadOnlyMemory<byte>.Empty);
        }
        else if (!handler.TryEnqueue(new IncomingRequest(request, correlation, timeoutMs, _time.GetTimestamp())))
        {
            _metrics.RequestsRefused.Add(1, new KeyValuePair<string, object?>("namespace", request.Namespace));
            Log.RequestQueueFull(_logger, request.Namespace, request.Type, request.From, RequestHandler.QueueCapacity);
            string message = $"The responder's queue for {request.Namespace}/{request.Type} is full ({RequestHandler.QueueCapacity} requests waiting); try again later.";
            _ = ReplyAsync(request, correlation, EnvelopeFlags.Reply | EnvelopeFlags.RemoteError, RemoteErrors.Encode(RequestHandler.BusyError, message));
        }
    }

    /// <summary>Sends a reply, "no responder" or error back to the requester. Never throws; a lost reply is logged and counted.</summary>
    private async Task ReplyAsync(InboundMessage request, ulong correlation, EnvelopeFlags flags, ReadOnlyMemory<byte> payload)
    {
        if (request.From == LocalDeviceId)
        {
            Complete(correlation, LocalDeviceId, request.Namespace, request.Type, flags, payload);
            return;
        }

        try
        {
            await _endpoint.SendAsync(request.From, request.Namespace, request.Type, payload, new Correlation(flags, correlation), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (DeviceUnreachableException e)
        {
            _metrics.RepliesLost.Add(1, new KeyValuePair<string, object?>("namespace", request.Namespace));
            Log.ReplyLost(_logger, request.Namespace, request.Type, request.From, e.Message);
        }
#pragma warning disable CA1031 // a reply runs detached from any caller: whatever breaks is reported here
        catch (Exception e)
#pragma warning restore CA1031
        {
            _metrics.InternalError("reply");
            Log.ReplyFailed(_logger, request.Namespace, request.Type, request.From, e);
        }
    }

    private void Complete(ulong correlation, string from, string messageNamespace, string messageType, EnvelopeFlags flags, ReadOnlyMemory<byte> payload)
    {
        if (!_pending.TryRemove(correlation, out PendingRequest? pending))
        {
            return; // timed out or cancelled meanwhile
        }

        string target = pending.DeviceId;
        if ((flags & EnvelopeFlags.NoResponder) != 0)
        {
            pending.Reply.TrySetException(new NoResponderException(target, messageNamespace, messageType));
        }
        else if ((flags & EnvelopeFlags.Unreachable) != 0)
        {
            pending.Reply.TrySetException(new DeviceUnreachableException(target));
        }
        else if ((flags & EnvelopeFlags.RemoteError) != 0)
        {
            (string type, string message) = RemoteErrors.Decode(payload, _metrics);
            pending.Reply.TrySetException(new RemoteHandlerException(from, type, message));
        }
        else
        {
            pending.Reply.TrySetResult(payload.ToArray());
        }
    }

    private void OnDeviceOffline(object? sender, TruffleDevice device) =>
        FailRequests(device.Id, static id => new DeviceUnreachableException(id));

    private void FailRequests(string? deviceId, Func<string, Exception> error)
    {
        foreach (KeyValuePair<ulong, PendingRequest> entry in _pending)
        {
            if ((deviceId is null || entry.Value.DeviceId == deviceId) && _pending.TryRemove(entry.Key, out PendingRequest? pending))
            {
                pending.Reply.TrySetException(error(pending.DeviceId));
            }
        }
    }

    /// <summary>A request waiting for its handler: what the handler gets, and what its reply needs.</summary>
    /// <param name="Message">The request as the handler sees it.</param>
    /// <param name="Correlation">The id its reply carries.</param>
    /// <param name="TimeoutMs">The requester's timeout from when it sent the request; 0 for none.</param>
    /// <param name="ReceivedAt">When it arrived, on the bus's clock: its deadline counts from here.</param>
    internal readonly record struct IncomingRequest(InboundMessage Message, ulong Correlation, uint TimeoutMs, long ReceivedAt);

    private sealed class PendingRequest(string deviceId)
    {
        public string DeviceId { get; } = deviceId;

        public TaskCompletionSource<ReadOnlyMemory<byte>> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(7002, LogLevel.Warning, "The reply to {Namespace}/{Type} could not be sent to {From}: {Reason}")]
        public static partial void ReplyLost(ILogger logger, string @namespace, string type, string from, string reason);

        [LoggerMessage(7004, LogLevel.Error, "The reply to {Namespace}/{Type} for {From} failed")]
        public static partial void ReplyFailed(ILogger logger, string @namespace, string type, string from, Exception exception);

        [LoggerMessage(7003, LogLevel.Warning, "The request queue for {Namespace}/{Type} is full ({Capacity}); the request from {From} was refused")]
        public static partial void RequestQueueFull(ILogger logger, string @namespace, string type, string from, int capacity);
    }
}
