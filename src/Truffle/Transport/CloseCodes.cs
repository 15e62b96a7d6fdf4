namespace Truffle.Transport;

/// <summary>The application close codes of SPEC §4 (WebSocket private range 4000–4999), and the standard ones Truffle uses.</summary>
internal static class CloseCodes
{
    /// <summary>
    /// The node is overloaded (RFC 6455 1013, "try again later"): too many handshakes at once. An incoming connection
    /// refused for it is closed before the upgrade, so only this side's metric carries the code.
    /// </summary>
    public const int TryAgainLater = 1013;

    /// <summary>The peer belongs to another app.</summary>
    public const int AppMismatch = 4001;

    /// <summary>The hello was missing, late (5 s) or malformed.</summary>
    public const int BadHello = 4002;

    /// <summary>
    /// The hello's tailscaleId is not the identity the network reported for the connection, or the device id it claims
    /// belongs to another network node (<see cref="HelloAdmission"/>); also closes a connection whose device its node replaced.
    /// </summary>
    public const int IdentityMismatch = 4003;

    /// <summary>The node is leaving (after its goodbye).</summary>
    public const int Goodbye = 4004;

    /// <summary>
    /// The peer is a slow consumer: its send queue stayed over the bound for <see cref="TransportOptions.SlowConsumerTimeout"/>,
    /// or reached <see cref="TransportOptions.MaxQueuedBytes"/>. The connection is aborted; only this side sees the code.
    /// </summary>
    public const int SlowConsumer = 4005;

    /// <summary>
    /// Nothing arrived from the peer for <see cref="TransportOptions.KeepAliveTimeout"/> while this side waited to read
    /// (a silent peer, or a frame that never completes). The connection is aborted; only this side sees the code.
    /// </summary>
    public const int KeepAliveTimeout = 4006;
}
