using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>Limits and timings of node-to-node connections (SPEC §4); the defaults are the spec's.</summary>
internal sealed record TransportOptions
{
    /// <summary>The tailnet port nodes listen on.</summary>
    public int Port { get; init; } = 9417;

    /// <summary>The largest envelope accepted or sent.</summary>
    public int MaxEnvelopeBytes { get; init; } = 1 << 20;

    /// <summary>The largest WebSocket message accepted; a longer one closes the connection (1009).</summary>
    public int MaxMessageBytes { get; init; } = 16 << 20;

    /// <summary>The longest namespace or type, in UTF-8 bytes.</summary>
    public int MaxNameBytes { get; init; } = 128;

    /// <summary>Incoming connections allowed to be in their handshake at once; more are closed at once.</summary>
    public int MaxPendingHandshakes { get; init; } = 256;

    /// <summary>How long the peer has to send its hello.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a WebSocket ping is sent.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection on which nothing arrives for this long while this node waits to read is dead: it is cut with
    /// <see cref="CloseCodes.KeepAliveTimeout"/>. Both sides send a heartbeat every <see cref="KeepAliveInterval"/>, so
    /// a live peer is never silent that long; time spent not reading (a relay's pause) does not count.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A connection whose send queue stays over <see cref="SendQueueBytes"/> without a break for this long is a slow
    /// consumer and is cut with <see cref="CloseCodes.SlowConsumer"/> (the slow-consumer rule of NATS).
    /// </summary>
    public TimeSpan SlowConsumerTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The most bytes of envelopes a writer packs into one WebSocket message.</summary>
    public int MaxBatchBytes { get; init; } = 256 << 10;

    /// <summary>Queued bytes per connection above which senders wait (and relays pause their source).</summary>
    public int SendQueueBytes { get; init; } = 4 << 20;

    /// <summary>
    /// The most bytes a connection's send queue ever holds, counting what <see cref="PeerConnection.SendOverBound"/>
    /// queued past <see cref="SendQueueBytes"/> (control answers, relays, broadcasts): a send that finds this much
    /// queued cuts the connection as a slow consumer at once. Room for a relayed message of
    /// <see cref="MaxMessageBytes"/> on top of the bound.
    /// </summary>
    public int MaxQueuedBytes { get; init; } = 20 << 20;

    /// <summary>The clock of the keep-alive and slow-consumer deadlines.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The instruments of the node's <c>Truffle</c> meter (the process-wide one unless the node was given a factory).</summary>
    internal TruffleMetrics Metrics { get; init; } = TruffleMetrics.Shared;

    /// <summary>The first reconnect delay; doubled per failed attempt, with jitter.</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);
}
