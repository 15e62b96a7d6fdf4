using System.Net.WebSockets;
using Truffle.Wire;

namespace Truffle.Transport;

internal sealed partial class PeerConnection
{
    /// <summary>
    /// Queues an envelope, waiting while more than <see cref="TransportOptions.SendQueueBytes"/> are queued and not
    /// yet sent (backpressure). Completes once the envelope is queued, not once it is sent.
    /// </summary>
    /// <exception cref="ArgumentException">The envelope breaks the limits (name or payload too long, empty name).</exception>
    /// <exception cref="ConnectionClosedException">The connection is closing or closed, before or while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        string? problem = EnvelopeCodec.Check(envelope, _limits);
        if (problem is not null)
        {
            _options.Metrics.Transport.EnvelopeDropped("send_" + problem);
            throw new ArgumentException($"The envelope cannot be sent: {problem}.", nameof(envelope));
        }

        return _queue.TryEnqueue(envelope, force: false, out Task? progress) switch
        {
            EnqueueResult.Queued => default,
            EnqueueResult.Closed => throw Closed(),
            _ => WaitAndSendAsync(envelope, progress!, cancellationToken),
        };
    }

    /// <summary>
    /// Queues an envelope unless more than <see cref="TransportOptions.SendQueueBytes"/> are queued or the connection
    /// is closing; never waits. A false return is a drop the caller counts; an envelope that breaks the limits is
    /// refused (false) and counted here.
    /// </summary>
    public bool TrySend(in Envelope envelope) => Enqueue(envelope, force: false);

    /// <summary>
    /// Queues an envelope even when the queue is over its bound (see <see cref="IPeerLink.SendOverBound"/>); false
    /// when the connection is closing, the envelope breaks the limits, or <see cref="TransportOptions.MaxQueuedBytes"/>
    /// are queued already (the connection is then cut as a slow consumer).
    /// </summary>
    public bool SendOverBound(in Envelope envelope) => Enqueue(envelope, force: true);

    private bool Enqueue(in Envelope envelope, bool force)
    {
        string? problem = EnvelopeCodec.Check(envelope, _limits);
        if (problem is not null)
        {
            _options.Metrics.Transport.EnvelopeDropped("send_" + problem);
            return false;
        }

        switch (_queue.TryEnqueue(envelope, force, out _))
        {
            case EnqueueResult.Queued:
                return true;
            case EnqueueResult.Overflow:
                _options.Metrics.Transport.EnvelopeDropped("send_queue_overflow");
                Cut(CloseCodes.SlowConsumer, "slow_consumer");
                return false;
            default:
                return false;
        }
    }

    private async ValueTask WaitAndSendAsync(Envelope envelope, Task progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
            switch (_queue.TryEnqueue(envelope, force: false, out Task? next))
            {
                case EnqueueResult.Queued:
                    return;
                case EnqueueResult.Closed:
                    throw Closed();
                default:
                    progress = next!;
                    break;
            }
        }
    }

    private ConnectionClosedException Closed() => new($"The connection to {Remote.DeviceId} is closed.");

    /// <summary>The one writer: sends whatever is queued, cut into messages of at most MaxBatchBytes.</summary>
    private async Task WriteLoopAsync()
    {
        try
        {
            while (await _queue.WaitToSendAsync().ConfigureAwait(false))
            {
                while (_queue.Take() is { } batch)
                {
                    try
                    {
                        await SendBatchAsync(batch).ConfigureAwait(false);
                    }
                    finally
                    {
                        _queue.Return(batch);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The socket broke or is closing: the read loop sees it too and reports the end.
            TransportLog.SendFailed(_logger, ex, Remote.DeviceId);
            _queue.Close();
            Abort();
        }
    }

    private async Task SendBatchAsync(SendBatch batch)
    {
        int start = 0, next = 0;
        while (next < batch.Count)
        {
            // At least one envelope per message, even one larger than the batch size.
            int end = batch.EndOf(next++);
            int envelopes = 1;
            while (next < batch.Count && batch.EndOf(next) - start <= _options.MaxBatchBytes)
            {
                end = batch.EndOf(next++);
                envelopes++;
            }

            await _socket.SendAsync(batch.Slice(start, end), WebSocketMessageType.Binary, true, _stopping.Token).ConfigureAwait(false);
            Stats.OnSent(envelopes);
            _queue.Sent(end - start);
            start = end;
        }
    }
}
