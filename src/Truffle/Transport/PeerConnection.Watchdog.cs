namespace Truffle.Transport;

/// <content>
/// The deadlines that bound what a peer can cost: nothing received for <see cref="TransportOptions.KeepAliveTimeout"/>
/// while reading, a send queue over its bound for <see cref="TransportOptions.SlowConsumerTimeout"/>, or at
/// <see cref="TransportOptions.MaxQueuedBytes"/> at all. Each cuts the connection at once (no graceful close: the peer
/// is not reading), logged and counted in <c>truffle.transport.disconnects</c>.
/// </content>
internal sealed partial class PeerConnection
{
    private static readonly TimeSpan LongestWatchPeriod = TimeSpan.FromSeconds(1);

    /// <summary>True once a close or a cut began (set before either does anything else).</summary>
    internal bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Bytes queued and not yet sent.</summary>
    internal long QueuedBytes => _queue.QueuedBytes;

    /// <summary>The stream the WebSocket reads, with what the keep-alive deadline watches.</summary>
    internal WatchedStream Watched => _stream;

    /// <summary>How often the deadlines are checked: a second, or a quarter of the shorter one if that is less.</summary>
    internal static TimeSpan WatchPeriod(TransportOptions options)
    {
        TimeSpan shorter = options.KeepAliveTimeout < options.SlowConsumerTimeout ? options.KeepAliveTimeout : options.SlowConsumerTimeout;
        TimeSpan quarter = shorter / 4;
        return quarter < LongestWatchPeriod ? quarter : LongestWatchPeriod;
    }

    private void StartWatchdog()
    {
        TimeSpan period = WatchPeriod(_options);
        _watchdog = _options.Time.CreateTimer(static state => ((PeerConnection)state!).Watch(), this, period, period);
    }

    private void Watch()
    {
        if (Volatile.Read(ref _closing) != 0)
        {
            return;
        }

        TimeProvider time = _options.Time;
        long now = time.GetTimestamp();
        if (_stream.WaitingSince is var waiting and not 0 && time.GetElapsedTime(waiting, now) >= _options.KeepAliveTimeout)
        {
            Cut(CloseCodes.KeepAliveTimeout, "keepalive_timeout");
        }
        else if (_queue.OverBoundSince is var over and not 0 && time.GetElapsedTime(over, now) >= _options.SlowConsumerTimeout)
        {
            Cut(CloseCodes.SlowConsumer, "slow_consumer");
        }
    }

    /// <summary>
    /// Ends the connection at once for breaking a bound: no more sends, queued envelopes discarded, the socket aborted.
    /// The read loop then reports <paramref name="code"/>; the peer sees the stream end. Never waits, never throws.
    /// </summary>
    private void Cut(int code, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        if (Interlocked.Exchange(ref _closeSent, 1) == 0)
        {
            _localCloseCode = code;
            _localCloseReason = reason;
        }

        _options.Metrics.Transport.Disconnected(reason);
        TransportLog.Cut(_logger, Remote.DeviceId, code, reason, _queue.QueuedBytes);
        _queue.Close();
        Abort();
    }
}
