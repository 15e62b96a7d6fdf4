namespace Truffle.Transport;

internal sealed partial class PeerConnection
{
    /// <summary>
    /// Waits until the send queue is at or under its bound, or the connection is closing. The primary uses it before
    /// it queues a broadcast on every connection under one lock with <see cref="SendControl"/>, so that the common
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
