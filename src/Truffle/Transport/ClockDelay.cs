namespace Truffle.Transport;

/// <summary>
/// A delay on a <see cref="TimeProvider"/> whose awaiter resumes on the thread that ends it (the timer's, or the one
/// that cancels), and that gives its timer back as soon as it is cancelled. <c>Task.Delay(delay, timeProvider,
/// token)</c> resumes a cancelled awaiter on the thread pool, which would take a connector's shutdown out of the
/// deterministic simulation's schedule.
/// </summary>
internal static class ClockDelay
{
    /// <summary>Completes after <paramref name="delay"/> on <paramref name="time"/>, or cancelled by <paramref name="cancellationToken"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public static async Task WaitAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource();
        using ITimer timer = time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), done, delay, Timeout.InfiniteTimeSpan);
        using CancellationTokenRegistration registration = cancellationToken.Register(
            static (state, token) => ((TaskCompletionSource)state!).TrySetCanceled(token), done);
        await done.Task.ConfigureAwait(false);
    }
}
