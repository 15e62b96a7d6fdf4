using System.Threading.Channels;

namespace Truffle.Messaging;

/// <summary>
/// A bounded queue, fair by sender (<see cref="FairQueue{T}"/>), and the pumps that take its items to a handler on the
/// thread pool, so the code that queues (a connection's read loop, the in-process hub) never waits for a handler and
/// never runs one. Subscriptions and request handlers each own one.
/// </summary>
/// <typeparam name="T">What is queued.</typeparam>
internal sealed class HandlerQueue<T> : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly FairQueue<T> _queue;
    private readonly Func<T, CancellationToken, ValueTask> _run;
    private readonly Action<T>? _dropped;

    // One count per queued item. Never disposed, like _stopping: a pump may still be leaving WaitAsync.
    private readonly SemaphoreSlim _available = new(0);

    // Never disposed: disposing it while Cancel may still be running its callbacks on another thread is not allowed,
    // and it has no timer or linked parent that would need releasing.
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pumps;
    private readonly int _capacity;

    // Set while the queue is at or over its capacity for a feeder that waits (TryEnqueueOverBound); completed once
    // the queue is down to half, so a feeder that pauses resumes with room for a batch, not for one item at a time.
    private TaskCompletionSource? _room;
    private int _disposed;

    /// <param name="capacity">How many items may wait.</param>
    /// <param name="fullMode">What a full queue does (see <see cref="FairQueue{T}"/>): drop the oldest or the newest item of the sender holding the most, or refuse (<see cref="BoundedChannelFullMode.Wait"/>, <see cref="TryEnqueue"/> returns false) when the new item's sender holds the most.</param>
    /// <param name="pumps">How many items run at once; one keeps them in order.</param>
    /// <param name="senderOf">Who sent an item: the unit of fairness.</param>
    /// <param name="run">Runs one item; must not throw (the queue has no one to tell).</param>
    /// <param name="dropped">Told of every item a full queue dropped or evicted (not of a refused one).</param>
    public HandlerQueue(
        int capacity, BoundedChannelFullMode fullMode, int pumps, Func<T, string> senderOf, Func<T, CancellationToken, ValueTask> run, Action<T>? dropped = null)
    {
        _queue = new FairQueue<T>(capacity, fullMode, senderOf);
        _capacity = capacity;
        _run = run;
        _dropped = dropped;

        // The pumps must not inherit the creator's ambient state (its current activity would parent every handler's span).
        using (ExecutionContext.SuppressFlow())
        {
            _pumps = pumps == 1 ? Task.Run(PumpAsync) : Task.WhenAll(Enumerable.Range(0, pumps).Select(_ => Task.Run(PumpAsync)));
        }
    }

    /// <summary>True once disposal began.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Queues an item without waiting; false when it was refused (full, with <c>Wait</c>) or the queue is disposed.</summary>
    public bool TryEnqueue(in T item)
    {
        bool added, hasDropped;
        T? dropped;
        int before;
        lock (_gate)
        {
            if (IsDisposed)
            {
                return false;
            }

            before = _queue.Count;
            added = _queue.TryAdd(item, out hasDropped, out dropped);
            if (_queue.Count > before)
            {
                _available.Release();
            }
        }

        if (hasDropped)
        {
            _dropped?.Invoke(dropped!);
        }

        return added;
    }

    /// <summary>
    /// Queues an item even when the queue is full, dropping nothing. When the queue is then at or over its capacity,
    /// <paramref name="room"/> completes once it is down to half its capacity (or disposed): the feeder must queue
    /// nothing more until then, which keeps the queue over its capacity by at most what was already on the way.
    /// </summary>
    /// <returns>False when the queue is disposed; the item is then ignored.</returns>
    public bool TryEnqueueOverBound(in T item, out Task? room)
    {
        room = null;
        lock (_gate)
        {
            if (IsDisposed)
            {
                return false;
            }

            _queue.AddOverBound(item);
            _available.Release();
            if (_queue.Count >= _capacity)
            {
                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _room.Task;
            }
        }

        return true;
    }

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

        TaskCompletionSource? room;
        lock (_gate)
        {
            // Discarded: whoever stopped the queue wants nothing more handled.
            _queue.Clear();
            room = _room;
            _room = null;
        }

        // A paused feeder goes on: what it delivers now is ignored, not waited for.
        room?.TrySetResult();
        _stopping.Cancel();
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
            while (true)
            {
                await _available.WaitAsync(stopping).ConfigureAwait(false);
                T item;
                TaskCompletionSource? room = null;
                lock (_gate)
                {
                    if (!_queue.TryTake(out item))
                    {
                        continue;
                    }

                    if (_room is not null && _queue.Count <= _capacity / 2)
                    {
                        room = _room;
                        _room = null;
                    }
                }

                room?.TrySetResult();

                await _run(item, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed while waiting for an item.
        }
    }
}
