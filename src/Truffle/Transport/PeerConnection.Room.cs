namespace Truffle.Transport;

internal sealed partial class PeerConnection
{
    /// <summary>
    /// Reads no further WebSocket message from this peer until <paramref name="resume"/> completes (the message being
    /// handled is finished first). A relay uses it to pass backpressure on: while the target of what this peer sent
    /// has a full queue, the peer's own sends wait in TCP instead of the relay dropping them.
    /// </summary>
    /// <remarks>
    /// Called on the read loop only, and possibly twice for one message (a broadcast the primary both delivers to a
    /// waiting subscription and forwards to full connections): the read then waits for both.
    /// </remarks>
    public void PauseReadingUntil(Task resume) =>
        _resumeReading = _resumeReading is { IsCompleted: false } pending ? Task.WhenAll(pending, resume) : resume;

    /// <summary>
    /// Waits until the send queue is at or under its bound, or the connection is closing. The primary uses it before
    /// it queues a broadcast on every connection under one lock with <see cref="SendOverBound"/>, so that the common
    /// broadcast order costs no unbounded queue.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (_queue.ProgressIfFull() is { } progress)
        {
            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
