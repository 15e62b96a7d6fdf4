using System.Threading.Channels;

namespace Truffle.Messaging;

/// <summary>
/// A bounded queue and the pumps that take its items to a handler on the thread pool, so the code that queues (a
/// connection's read loop, the in-process hub) never waits for a handler and never runs one. Subscriptions and request
/// handlers each own one.
/// </summary>
/// <typeparam name="T">What is queued.</typeparam>
internal sealed class HandlerQueue<T> : IAsyncDisposable
{
    private readonly Channel<T> _queue;
    private readonly Func<T, CancellationToken, ValueTask> _run;

    // Never disposed: disposing it while Cancel may still be running its callbacks on another thread is not allowed,
    // and it has no timer or linked parent that would need releasing.
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pumps;
    private int _disposed;

    /// <param name="capacity">How many items may wait.</param>
    /// <param name="fullMode">What a full queue does: drop the oldest or the newest item, or refuse (<see cref="BoundedChannelFullMode.Wait"/>, <see cref="TryEnqueue"/> returns false).</param>
    /// <param name="pumps">How many items run at once; one keeps them in order.</param>
    /// <param name="run">Runs one item; must not throw (the queue has no one to tell).</param>
    /// <param name="dropped">Told of every item a full queue dropped.</param>
    public HandlerQueue(int capacity, BoundedChannelFullMode fullMode, int pumps, Func<T, CancellationToken, ValueTask> run, Action<T>? dropped = null)
    {
        _run = run;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = fullMode,
            SingleReader = false, // disposal drains the queue while a pump may still be reading
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        };
        _queue = dropped is null ? Channel.CreateBounded<T>(options) : Channel.CreateBounded(options, dropped);
        // The pumps must not inherit the creator's ambient state (its current activity would parent every handler's span).
        using (ExecutionContext.SuppressFlow())
        {
            _pumps = pumps == 1 ? Task.Run(PumpAsync) : Task.WhenAll(Enumerable.Range(0, pumps).Select(_ => Task.Run(PumpAsync)));
        }
    }

    /// <summary>True once disposal began.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Queues an item without waiting; false when it was refused (full, with <c>Wait</c>) or the queue is disposed.</summary>
    public bool TryEnqueue(in T item) => _queue.Writer.TryWrite(item);

    /// <summary>
    /// Stops the pumps: the token they pass is cancelled, queued items are discarded and no more are accepted.
    /// Idempotent; safe from inside a handler.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out _))
        {
            // Discarded: whoever stopped the queue wants nothing more handled.
        }
    }

    /// <summary>Disposes, then waits until the running handlers have returned. Do not await it from a handler.</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _pumps.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        CancellationToken stopping = _stopping.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (!stopping.IsCancellationRequested && _queue.Reader.TryRead(out T? item))
                {
                    await _run(item, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed while waiting for an item.
        }
    }
}
