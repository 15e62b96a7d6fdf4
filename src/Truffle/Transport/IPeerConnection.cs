namespace Truffle.Transport;

/// <summary>
/// A connection to one device that has passed the handshake (upgrade and hello): the link routing sends through,
/// and its lifetime. <see cref="PeerConnection"/> is the WebSocket one; the deterministic simulation has an
/// in-memory one, so the mesh above runs the same code over both.
/// </summary>
internal interface IPeerConnection : IPeerLink, IAsyncDisposable
{
    /// <summary>The peer's hello, checked against the app id and the network identity.</summary>
    Hello Remote { get; }

    /// <summary>True when this side dialled.</summary>
    bool IsOutgoing { get; }

    /// <summary>
    /// Completes when the connection has closed and <see cref="IConnectionHandler.OnClosed"/> has run (or, when it
    /// was never started, when it was closed or disposed). Never faults.
    /// </summary>
    Task Completion { get; }

    /// <summary>Starts delivering envelopes to <paramref name="handler"/>. Call once.</summary>
    /// <exception cref="InvalidOperationException">Already started, or closed before it started.</exception>
    void Start(IConnectionHandler handler);

    /// <summary>Sends what is queued (briefly), then closes with <paramref name="code"/>. Idempotent; never throws.</summary>
    ValueTask CloseAsync(int code, string reason);
}
