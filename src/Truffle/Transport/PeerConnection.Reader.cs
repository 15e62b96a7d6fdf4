using System.Buffers;
using System.Net.WebSockets;
using MessagePack;
using Truffle.Wire;

namespace Truffle.Transport;

internal sealed partial class PeerConnection
{
    private const int InitialReceiveBytes = 16 << 10;

    // A burst of large messages grows the receive buffer; give it back beyond this rather than hold it per connection.
    private const int KeptReceiveBytes = 1 << 20;

    private async Task ReadLoopAsync()
    {
        ConnectionClosed closed;
        try
        {
            closed = await ReceiveAllAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever broke (reset, keep-alive timeout, abort by DisposeAsync), the loop ends here and reports it.
            closed = new ConnectionClosed(
                _localCloseCode ?? (int?)_socket.CloseStatus, _localCloseReason ?? (ex is OperationCanceledException ? "aborted" : ex.Message), ex);
        }

        await TearDownAsync().ConfigureAwait(false);
        TransportLog.Closed(_logger, Remote.DeviceId, closed.CloseCode, closed.Reason);
        try
        {
            _handler!.OnClosed(this, closed);
        }
#pragma warning disable CA1031 // The handler is the layer above; its failure must not stop Completion.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ReportHandlerError(ex);
        }

        _completion.TrySetResult();
    }

    /// <summary>Receives messages until the connection closes; returns why it closed.</summary>
    private async Task<ConnectionClosed> ReceiveAllAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBytes);
        try
        {
            while (true)
            {
                if (Interlocked.Exchange(ref _resumeReading, null) is { } resume)
                {
                    await resume.WaitAsync(_stopping.Token).ConfigureAwait(false);
                }

                int filled = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    int capacity = Math.Min(buffer.Length, _options.MaxMessageBytes);
                    if (filled == capacity)
                    {
                        if (capacity == _options.MaxMessageBytes)
                        {
                            return await FailAsync(WebSocketCloseStatus.MessageTooBig, "message_too_big").ConfigureAwait(false);
                        }

                        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageBytes));
                        buffer.AsSpan(0, filled).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                        capacity = Math.Min(buffer.Length, _options.MaxMessageBytes);
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(filled, capacity - filled), _stopping.Token).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return await PeerClosedAsync().ConfigureAwait(false);
                    }

                    filled += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType != WebSocketMessageType.Binary)
                {
                    return await FailAsync(WebSocketCloseStatus.InvalidMessageType, "text_message").ConfigureAwait(false);
                }

                if (!Dispatch(buffer.AsMemory(0, filled)))
                {
                    return await FailAsync(WebSocketCloseStatus.InvalidPayloadData, "malformed").ConfigureAwait(false);
                }

                if (buffer.Length > KeptReceiveBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBytes);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hands every envelope of one message to the handler; false on a framing error.</summary>
    private bool Dispatch(ReadOnlyMemory<byte> message)
    {
        var reader = new MessagePackReader(message);
        int delivered = 0, invalid = 0;
        bool wellFormed = true;
        while (!reader.End)
        {
            EnvelopeReadStatus status = EnvelopeCodec.TryRead(ref reader, _limits, _strings, out Envelope envelope, out string? problem);
            if (status == EnvelopeReadStatus.Malformed)
            {
                wellFormed = false;
                break;
            }

            if (status == EnvelopeReadStatus.Invalid)
            {
                invalid++;
                _options.Metrics.Transport.EnvelopeDropped(problem!);
                TransportLog.InvalidEnvelope(_logger, Remote.DeviceId, problem!);
                continue;
            }

            delivered++;
            try
            {
                _handler!.OnEnvelope(this, envelope);
            }
#pragma warning disable CA1031 // One handler failure must not end the connection (SPEC §4: nothing throws out of a read loop).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ReportHandlerError(ex);
            }
        }

        Stats.OnReceived(delivered, invalid);
        return wellFormed;
    }

    /// <summary>The peer sent a close frame: answer it (unless we started the close) and report the peer's code.</summary>
    private async Task<ConnectionClosed> PeerClosedAsync()
    {
        int? code = (int?)_socket.CloseStatus;
        string reason = _socket.CloseStatusDescription ?? "";
        if (_localCloseCode is null)
        {
            await SendCloseAsync(code ?? (int)WebSocketCloseStatus.NormalClosure, reason).ConfigureAwait(false);
            return new ConnectionClosed(code, reason.Length > 0 ? reason : "closed by the peer", null);
        }

        return new ConnectionClosed(_localCloseCode, _localCloseReason ?? "", null);
    }

    /// <summary>Closes for a protocol violation: counted, logged, close frame sent, peer's answer awaited briefly.</summary>
    private async Task<ConnectionClosed> FailAsync(WebSocketCloseStatus code, string reason)
    {
        _options.Metrics.Transport.ProtocolError(reason);
        TransportLog.ProtocolError(_logger, Remote.DeviceId, reason);
        _queue.Close();
        await WaitQuietlyAsync(_writeLoop).ConfigureAwait(false);
        await SendCloseAsync((int)code, reason).ConfigureAwait(false);
        try
        {
            // Drain until the peer's close, so our close frame is not destroyed by a reset of unread data.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(CloseStepTimeout);
            byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                while ((await _socket.ReceiveAsync(scratch.AsMemory(), timeout.Token).ConfigureAwait(false)).MessageType != WebSocketMessageType.Close)
                {
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // No answer in time: the connection is torn down anyway.
        }

        return new ConnectionClosed((int)code, reason, null);
    }

    private void ReportHandlerError(Exception exception)
    {
        long count = Interlocked.Increment(ref _handlerErrors);
        _options.Metrics.TransportHandlerErrors.Add(1);

        // The first failure, then one in a thousand: a handler that always throws must not flood the log.
        if (count == 1 || count % 1000 == 0)
        {
            TransportLog.HandlerFailed(_logger, exception, Remote.DeviceId, count);
        }
    }
}
