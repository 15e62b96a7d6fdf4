using System.Threading.Channels;
using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>
/// The outgoing side of one connection: senders serialize envelopes into the pending batch under a short lock; the
/// one writer swaps the pending batch with the one it has just sent (double buffering, no allocation per envelope)
/// and sends it. Queued bytes count until the writer has sent them, which is what the bound applies to. Forced
/// envelopes may pass the bound, never the hard limit; the queue notes since when it has been over the bound, for the
/// slow-consumer rule.
/// </summary>
internal sealed class SendQueue : IDisposable
{
    private readonly Lock _gate = new();
    private readonly long _boundBytes;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly Channel<bool> _signal =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private SendBatch _pending = new();
    private SendBatch _spare = new();
    private long _queuedBytes;
    private TaskCompletionSource _progress = NewProgress();
    private bool _progressAwaited;
    private bool _accepting = true;
    private bool _closed;
    private long _overBoundSince;

    /// <summary>
    /// Creates a queue on which senders wait once more than <paramref name="boundBytes"/> are queued, and that refuses
    /// even forced envelopes once <paramref name="maxBytes"/> are.
    /// </summary>
    public SendQueue(long boundBytes, long maxBytes, TimeProvider time)
    {
        _boundBytes = boundBytes;
        _maxBytes = Math.Max(boundBytes, maxBytes);
        _time = time;
    }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> since which more than the bound is queued; 0 when not.</summary>
    public long OverBoundSince
    {
        get
        {
            lock (_gate)
            {
                return _overBoundSince;
            }
        }
    }

    /// <summary>Bytes serialized and not yet sent.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_gate)
            {
                return _queuedBytes;
            }
        }
    }

    /// <summary>
    /// Serializes <paramref name="envelope"/> into the pending batch when the queue accepts it: it is open, and
    /// <paramref name="force"/> is set or no more than the bound is queued. Otherwise returns a task that completes
    /// when the writer has made progress (or the queue closed), to try again after.
    /// </summary>
    public EnqueueResult TryEnqueue(in Envelope envelope, bool force, out Task? progress)
    {
        progress = null;
        lock (_gate)
        {
            if (!_accepting)
            {
                return EnqueueResult.Closed;
            }

            if (!force && _queuedBytes > _boundBytes)
            {
                _progressAwaited = true;
                progress = _progress.Task;
                return EnqueueResult.Full;
            }

            if (force && _queuedBytes >= _maxBytes)
            {
                return EnqueueResult.Overflow;
            }

            int before = _pending.Length;
            EnvelopeCodec.Write(_pending, envelope);
            _pending.MarkEnvelopeEnd();
            _queuedBytes += _pending.Length - before;
            if (_queuedBytes > _boundBytes && _overBoundSince == 0)
            {
                _overBoundSince = Math.Max(1, _time.GetTimestamp());
            }
        }

        _signal.Writer.TryWrite(true);
        return EnqueueResult.Queued;
    }

    /// <summary>Null when a non-forced envelope would be accepted now (or the queue is closed); otherwise a task that
    /// completes when the writer has made progress.</summary>
    public Task? ProgressIfFull()
    {
        lock (_gate)
        {
            if (!_accepting || _queuedBytes <= _boundBytes)
            {
                return null;
            }

            _progressAwaited = true;
            return _progress.Task;
        }
    }

    /// <summary>Waits until there may be something to send; false once the queue is closed.</summary>
    public async ValueTask<bool> WaitToSendAsync()
    {
        bool more = await _signal.Reader.WaitToReadAsync().ConfigureAwait(false);
        _signal.Reader.TryRead(out _);
        return more;
    }

    /// <summary>
    /// Takes everything pending for the writer, giving the pending side a fresh batch; null when nothing is pending
    /// or the queue is closed. Hand the batch back with <see cref="Return"/> once sent.
    /// </summary>
    public SendBatch? Take()
    {
        lock (_gate)
        {
            if (_closed || _pending.Count == 0)
            {
                return null;
            }

            SendBatch taken = _pending;
            _pending = _spare;
            _spare = null!;
            return taken;
        }
    }

    /// <summary>Reports that <paramref name="bytes"/> of a taken batch were sent, waking waiting senders.</summary>
    public void Sent(int bytes)
    {
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            _queuedBytes -= bytes;
            if (_queuedBytes <= _boundBytes)
            {
                _overBoundSince = 0;
            }

            if (_progressAwaited)
            {
                wake = _progress;
                _progress = NewProgress();
                _progressAwaited = false;
            }
        }

        wake?.TrySetResult();
    }

    /// <summary>Gives a sent batch back for reuse.</summary>
    public void Return(SendBatch batch)
    {
        batch.Reset();
        lock (_gate)
        {
            _spare = batch;
        }
    }

    /// <summary>Waits until everything queued was sent, the queue closed, or <paramref name="timeout"/> passed.</summary>
    public async Task<bool> WaitDrainedAsync(TimeSpan timeout)
    {
        using var expired = new CancellationTokenSource(timeout);
        while (true)
        {
            Task progress;
            lock (_gate)
            {
                if (_queuedBytes == 0 || _closed)
                {
                    return _queuedBytes == 0;
                }

                _progressAwaited = true;
                progress = _progress.Task;
            }

            try
            {
                await progress.WaitAsync(expired.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>Refuses new envelopes; what is queued can still be sent.</summary>
    public void StopAccepting()
    {
        lock (_gate)
        {
            _accepting = false;
        }
    }

    /// <summary>Refuses new envelopes, discards what is queued, ends the writer's wait and wakes waiting senders.</summary>
    public void Close()
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            _accepting = false;
            _closed = true;
            wake = _progress;
        }

        _signal.Writer.TryComplete();
        wake.TrySetResult();
    }

    /// <summary>Returns the pooled buffers; only once the writer has stopped.</summary>
    public void Dispose()
    {
        Close();
        lock (_gate)
        {
            _pending.Dispose();
            _spare?.Dispose();
        }
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The outcome of <see cref="SendQueue.TryEnqueue"/>.</summary>
internal enum EnqueueResult
{
    /// <summary>Serialized into the queue.</summary>
    Queued,

    /// <summary>Not queued: over the bound.</summary>
    Full,

    /// <summary>Not queued: the connection is closing or closed.</summary>
    Closed,

    /// <summary>Not queued: the hard limit is reached, even for a forced envelope; the peer is a slow consumer.</summary>
    Overflow,
}
