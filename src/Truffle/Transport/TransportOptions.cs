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

    /// <summary>A connection with no frame for this long is dead.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The most bytes of envelopes a writer packs into one WebSocket message.</summary>
    public int MaxBatchBytes { get; init; } = 256 << 10;

    /// <summary>Queued bytes per connection above which senders wait (and relays drop).</summary>
    public int SendQueueBytes { get; init; } = 4 << 20;

    /// <summary>The first reconnect delay; doubled per failed attempt, with jitter.</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);
}
