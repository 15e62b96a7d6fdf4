using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>
/// What routing needs of a connection to one device: ways to queue an envelope and to pass backpressure on. A
/// <see cref="PeerConnection"/> is one; a simulated network provides others, so routing runs the same in both.
/// </summary>
internal interface IPeerLink
{
    /// <summary>The device at the other end (from its hello).</summary>
    string DeviceId { get; }

    /// <summary>Queues an envelope, waiting while the send queue is over its bound.</summary>
    /// <exception cref="ConnectionClosedException">The connection is closing or closed.</exception>
    ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken);

    /// <summary>Queues an envelope unless the send queue is over its bound or the connection is closing.</summary>
    bool TrySend(in Envelope envelope);

    /// <summary>
    /// Queues an envelope even over the bound, for what must not wait and must not be lost to a full queue: mesh
    /// control, a relay's forward whose source it then pauses, a broadcast enqueued everywhere at once, sync posts.
    /// False only when the connection is closing.
    /// </summary>
    bool SendOverBound(in Envelope envelope);

    /// <summary>Waits until the send queue is at or under its bound, or the connection is closing.</summary>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken);

    /// <summary>Reads nothing more from this device until <paramref name="resume"/> completes.</summary>
    void PauseReadingUntil(Task resume);
}
