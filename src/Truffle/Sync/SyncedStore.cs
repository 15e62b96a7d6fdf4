using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Truffle.Sync;
using Truffle.Wire;

namespace Truffle;

/// <summary>
/// One synced store as this device sees it: its own slice (<see cref="Local"/>), which only it writes, and a
/// replica of every other device's slice (<see cref="Remotes"/>). Get it from <c>node.Sync.Store&lt;T&gt;()</c>.
/// Every member is thread-safe.
/// </summary>
/// <typeparam name="T">The slice type, a <c>[SyncedSlice("id")]</c> partial record.</typeparam>
/// <remarks>
/// Sync never throws at the app for network trouble: a lost, duplicated, reordered or forged message is dropped
/// (and counted as <c>truffle.sync.rejected</c>), and the owner's snapshot repairs the replica on request or within
/// one digest interval. A replica therefore may lag its owner, but never shows a version the owner did not make.
/// </remarks>
public sealed partial class SyncedStore<T> : IStoreCore
    where T : class, ISyncedSlice<T>
{
    private readonly SyncEngine _engine;
    private readonly ChangeFeed<SliceChanged<T>> _changes;
    private ImmutableDictionary<string, T> _remotes = ImmutableDictionary.Create<string, T>(StringComparer.Ordinal);

    // The local slice (SyncedStore.Local.cs).
    private readonly SlicePersistence? _persistence;
    private readonly ITimer _coalesceTimer;
    private T? _local;              // what the app sees
    private T? _sent;               // the value at _seq, as peers know it (null: none yet, or retired)
    private ulong _seq;             // 0 until the first send of this incarnation
    private byte[]? _snapshot;      // the whole of _sent, encoded; null when _sent is null
    private DateTimeOffset _lastSend = DateTimeOffset.MinValue;
    private bool _flushPending;

    // Replicas (SyncedStore.Replicas.cs).
    private readonly Dictionary<string, Replica> _replicas = new(StringComparer.Ordinal);

    // When each owner was last asked for a snapshot, so a burst of gapped deltas sends one request.
    private readonly Dictionary<string, DateTimeOffset> _requested = new(StringComparer.Ordinal);

    internal SyncedStore(SyncEngine engine)
    {
        _engine = engine;
        _changes = new ChangeFeed<SliceChanged<T>>(engine, T.StoreId);
        _persistence = engine.Options.StateDirectory is { } directory
            ? new SlicePersistence(directory, T.StoreId, engine.Logger, engine.Metrics)
            : null;
        _coalesceTimer = engine.Time.CreateTimer(
            static state => ((SyncedStore<T>)state!).OnCoalesceTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Raised after every change to a slice of this store: the local one (when set to a different value) and every
    /// remote one (applied, replaced, removed). Handlers run synchronously on the thread that made the change, after
    /// it is applied and outside sync's lock, so they may read and write stores; a handler that throws is logged and
    /// counted (<c>truffle.handler.errors</c>) and does not stop sync or the other handlers' next events. Events
    /// caused by different threads may interleave.
    /// </summary>
    public event EventHandler<SliceChanged<T>>? Changed;

    /// <summary>The store id (<c>T.StoreId</c>).</summary>
    public string StoreId => T.StoreId;

    /// <summary>
    /// Each other device's slice by device id: a consistent snapshot, without slices that were retired by their
    /// owner or whose device left (tombstoned).
    /// </summary>
    public IReadOnlyDictionary<string, T> Remotes => Volatile.Read(ref _remotes);

    /// <summary>
    /// Every change from this call on (see <see cref="Changed"/>), through a buffer of
    /// <see cref="SyncOptions.ChangeBufferCapacity"/> changes for this reader: when the reader falls behind, the
    /// oldest buffered change is dropped (counted as <c>truffle.sync.changes.dropped</c>), so read
    /// <see cref="Local"/> and <see cref="Remotes"/> for the current state rather than replaying changes. The
    /// reader is registered when this method is called, so enumerate the result once; it ends when sync stops.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public IAsyncEnumerable<SliceChanged<T>> ChangesAsync(CancellationToken cancellationToken = default) =>
        _changes.Subscribe(cancellationToken);

    /// <summary>Hands a change to every reader now and to the event handlers once the lock is released. Under the lock.</summary>
    private void Publish(SliceChanged<T> change, Notifications notes)
    {
        _changes.Publish(change);
        notes.Add(() => Raise(change));
    }

    private void Raise(SliceChanged<T> change)
    {
        if (Changed is not { } handlers)
        {
            return;
        }

        foreach (EventHandler<SliceChanged<T>> handler in handlers.GetInvocationList().Cast<EventHandler<SliceChanged<T>>>())
        {
            try
            {
                handler(this, change);
            }
#pragma warning disable CA1031 // A faulty app handler must not break sync or starve the other handlers.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _engine.Metrics.HandlerErrors.Add(1);
                SyncLog.HandlerFailed(_engine.Logger, T.StoreId, e);
            }
        }
    }

    private static ImmutableArray<string> Names(MemberMask mask)
    {
        ImmutableArray<string> all = T.MemberNames;
        return mask == MemberMask.All(all.Length) ? all : [.. mask.Indices().Where(i => i < all.Length).Select(i => all[i])];
    }

    /// <inheritdoc/>
    void IStoreCore.Stop()
    {
        _coalesceTimer.Dispose();
        _changes.Complete();
    }

    private ILogger Logger => _engine.Logger;
}
