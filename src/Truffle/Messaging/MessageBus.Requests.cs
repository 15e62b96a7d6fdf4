using System.Buffers;
using System.Collections.Concurrent;
using MessagePack;
using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Messaging;

/// <content>
/// Request/reply: a request carries a correlation id; the responder's handler runs on the thread pool and its
/// reply, "no responder" or error comes back with the same id. A request fails at once when its target goes
/// offline, and on the caller's clock when no answer comes.
/// </content>
internal sealed partial class MessageBus
{
    // The longest delay a CancellationTokenSource timer accepts.
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly Dictionary<(string Namespace, string Type), Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>>> _handlers = [];
    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();
    private long _correlation;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> RequestAsync(
        string deviceId, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        MessageNames.ValidateApplicationNamespace(messageNamespace);
        MessageNames.Validate(messageType);
        MessagePayloads.Validate(payload, _mesh.MaxPayloadBytes);
        if (timeout != Timeout.InfiniteTimeSpan && (timeout <= TimeSpan.Zero || timeout > MaxTimeout))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        ThrowIfDisposed();
        ulong correlation = (ulong)Interlocked.Increment(ref _correlation);
        var pending = new PendingRequest(deviceId);
        _pending[correlation] = pending;
        using var timeoutSource = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, _time);
        try
        {
            if (deviceId == LocalDeviceId)
            {
                var request = new InboundMessage(LocalDeviceId, messageNamespace, messageType, payload.ToArray(), IsBroadcast: false);
                _ = Task.Run(() => AnswerAsync(request, correlation), CancellationToken.None);
            }
            else
            {
                await _mesh.SendAsync(deviceId, messageNamespace, messageType, payload, EnvelopeFlags.Request, correlation, cancellationToken)
                    .ConfigureAwait(false);
            }

            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            return await pending.Reply.Task.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timeoutSource.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"No reply from device '{deviceId}' to {messageNamespace}/{messageType} within {timeout}.", e);
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
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_handlers.TryAdd(key, handler))
            {
                throw new InvalidOperationException($"A handler for {messageNamespace}/{messageType} is already registered on device '{LocalDeviceId}'.");
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

    /// <summary>A request arrived from another device: answer it on the thread pool, never on the read loop.</summary>
    private void Answer(in Envelope envelope)
    {
        var request = new InboundMessage(envelope.From, envelope.Namespace, envelope.Type, envelope.Payload.ToArray(), IsBroadcast: false);
        ulong correlation = envelope.CorrelationId;
        _ = Task.Run(() => AnswerAsync(request, correlation), CancellationToken.None);
    }

    /// <summary>Runs the handler and sends what it gives: a reply, "no responder" or the exception. Never throws.</summary>
    private async Task AnswerAsync(InboundMessage request, ulong correlation)
    {
        Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>>? handler;
        lock (_gate)
        {
            handler = _handlers.GetValueOrDefault((request.Namespace, request.Type));
        }

        ReadOnlyMemory<byte> reply = ReadOnlyMemory<byte>.Empty;
        EnvelopeFlags flags = EnvelopeFlags.Reply;
        if (handler is null)
        {
            flags |= EnvelopeFlags.NoResponder;
        }
        else
        {
            try
            {
                reply = await handler(request, CancellationToken.None).ConfigureAwait(false);
                if (reply.Length > _mesh.MaxPayloadBytes)
                {
                    // It cannot travel; the caller gets a remote error now instead of a timeout later.
                    throw new InvalidOperationException(MessagePayloads.TooLarge("The reply", reply.Length, _mesh.MaxPayloadBytes));
                }
            }
#pragma warning disable CA1031 // a handler's exception goes back to the caller as a remote error
            catch (Exception e)
#pragma warning restore CA1031
            {
                TruffleMetrics.HandlerErrors.Add(1, new KeyValuePair<string, object?>("namespace", request.Namespace));
                Log.RequestHandlerFailed(_logger, request.Namespace, request.Type, request.From, e);
                flags |= EnvelopeFlags.RemoteError;
                reply = EncodeError(e);
            }
        }

        if (request.From == LocalDeviceId)
        {
            Complete(correlation, LocalDeviceId, request.Namespace, request.Type, flags, reply);
            return;
        }

        try
        {
            await _mesh.SendAsync(request.From, request.Namespace, request.Type, reply, flags, correlation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DeviceUnreachableException e)
        {
            TruffleMetrics.RepliesLost.Add(1, new KeyValuePair<string, object?>("namespace", request.Namespace));
            Log.ReplyLost(_logger, request.Namespace, request.Type, request.From, e.Message);
        }
    }

    private void CompleteRequest(in Envelope envelope) =>
        Complete(envelope.CorrelationId, envelope.From, envelope.Namespace, envelope.Type, envelope.Flags, envelope.Payload);

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
            (string type, string message) = DecodeError(payload);
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

    private static byte[] EncodeError(Exception e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.Write(e.GetType().FullName ?? e.GetType().Name);
        writer.Write(e.Message);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static (string Type, string Message) DecodeError(ReadOnlyMemory<byte> payload)
    {
        try
        {
            var reader = new MessagePackReader(payload);
            if (reader.ReadArrayHeader() >= 2)
            {
                return (reader.ReadString() ?? "Exception", reader.ReadString() ?? "");
            }
        }
        catch (MessagePackSerializationException)
        {
            // A malformed error still fails the request, with what we know (the caller sees it, so no log here).
            TruffleMetrics.DecodeErrors.Add(1);
        }

        return ("Exception", "(the remote error could not be read)");
    }

    private sealed class PendingRequest(string deviceId)
    {
        public string DeviceId { get; } = deviceId;

        public TaskCompletionSource<ReadOnlyMemory<byte>> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(7001, LogLevel.Error, "The request handler for {Namespace}/{Type} from {From} threw; the caller gets a remote error")]
        public static partial void RequestHandlerFailed(ILogger logger, string @namespace, string type, string from, Exception exception);

        [LoggerMessage(7002, LogLevel.Warning, "The reply to {Namespace}/{Type} could not be sent to {From}: {Reason}")]
        public static partial void ReplyLost(ILogger logger, string @namespace, string type, string from, string reason);
    }
}
