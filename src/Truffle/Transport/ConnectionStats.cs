namespace Truffle.Transport;

/// <summary>Per-connection counters (the process-wide ones are in <see cref="Wire.TruffleMetrics"/>).</summary>
internal sealed class ConnectionStats
{
    private long _messagesSent;
    private long _envelopesSent;
    private long _messagesReceived;
    private long _envelopesReceived;
    private long _invalidEnvelopes;

    /// <summary>WebSocket messages sent after the hello exchange.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Envelopes sent, in any number of messages.</summary>
    public long EnvelopesSent => Interlocked.Read(ref _envelopesSent);

    /// <summary>WebSocket messages received after the hello exchange.</summary>
    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    /// <summary>Valid envelopes handed to the handler.</summary>
    public long EnvelopesReceived => Interlocked.Read(ref _envelopesReceived);

    /// <summary>Well-formed but invalid envelopes dropped.</summary>
    public long InvalidEnvelopes => Interlocked.Read(ref _invalidEnvelopes);

    internal void OnSent(int envelopes)
    {
        Interlocked.Increment(ref _messagesSent);
        Interlocked.Add(ref _envelopesSent, envelopes);
    }

    internal void OnReceived(int envelopes, int invalid)
    {
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _envelopesReceived, envelopes);
        Interlocked.Add(ref _invalidEnvelopes, invalid);
    }
}
