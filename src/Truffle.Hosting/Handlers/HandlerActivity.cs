namespace Truffle.Hosting.Handlers;

/// <summary>
/// Counts the handler calls in progress so that stopping can wait for them before the node and the container go
/// away under them. Once draining has begun no new call may enter.
/// </summary>
internal sealed class HandlerActivity
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _draining;

    /// <summary>The calls in progress.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Marks a call as running until the returned value is disposed.</summary>
    /// <exception cref="OperationCanceledException">Draining has begun: the host is stopping.</exception>
    public Entry Enter()
    {
        // Increment before looking at the flag, and DrainAsync sets the flag before looking at the count: whichever
        // comes second sees the other, so no call slips past a drain that found nothing running.
        Interlocked.Increment(ref _running);
        if (Volatile.Read(ref _draining) != 0)
        {
            Exit();
            throw new OperationCanceledException("The host is stopping; the Truffle handlers are detached.");
        }

        return new Entry(this);
    }

    /// <summary>Refuses new calls and completes when the running ones have returned.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task DrainAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _draining, 1);
        if (Volatile.Read(ref _running) == 0)
        {
            _idle.TrySetResult();
        }

        return _idle.Task.WaitAsync(cancellationToken);
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _draining) != 0)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>One running call; disposing it ends the call.</summary>
    public readonly struct Entry(HandlerActivity owner) : IDisposable
    {
        /// <summary>Ends the call.</summary>
        public void Dispose() => owner.Exit();
    }
}
