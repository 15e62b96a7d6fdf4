using System.Buffers;
using MessagePack;
using Truffle.Sync;
using Truffle.Wire;

namespace Truffle;

/// <summary>The local slice: writes, coalescing, snapshots and persistence.</summary>
public sealed partial class SyncedStore<T>
{
    /// <summary>
    /// This device's slice; null until first set. Setting it diffs the new value against the previous one and, when
    /// a member changed, raises <see cref="Changed"/> and broadcasts a delta of only the changed members (a snapshot
    /// when that is smaller); an unchanged value sends nothing. Setting null retires the slice: peers remove it.
    /// Changes within <see cref="SyncOptions.CoalesceWindow"/> of a send leave together as one delta. The write
    /// always succeeds locally: a slice that encodes to more than <see cref="SyncOptions.MaxSliceBytes"/> is kept
    /// but not sent (logged), and after sync stops writes are kept but not sent.
    /// </summary>
    public T? Local
    {
        get
        {
            lock (_engine.Gate)
            {
                return _local;
            }
        }

        set => TryWrite(value, expected: default, compare: false);
    }

    /// <summary>
    /// Replaces the local slice with <paramref name="change"/> applied to the current one, atomically: when another
    /// thread writes in between, <paramref name="change"/> runs again on the newer value (so keep it free of side
    /// effects). Sends as the <see cref="Local"/> setter does.
    /// </summary>
    /// <returns>The new local slice.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="change"/> returned null.</exception>
    public T Update(Func<T?, T> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        while (true)
        {
            T? current = Local;
            T next = change(current) ?? throw new InvalidOperationException("The change returned null; set Local to null to retire the slice.");
            if (TryWrite(next, current, compare: true))
            {
                return next;
            }
        }
    }

    private bool TryWrite(T? value, T? expected, bool compare)
    {
        var notes = new Notifications();
        lock (_engine.Gate)
        {
            if (compare && !ReferenceEquals(_local, expected))
            {
                return false;
            }

            T? previous = _local;
            _local = value;
            MemberMask changed = value is null || previous is null
                ? (value is null && previous is null ? MemberMask.Empty : MemberMask.All(T.MemberNames.Length))
                : T.Diff(previous, value);
            if (!changed.IsEmpty)
            {
                Publish(new SliceChanged<T>(_engine.LocalDeviceId, value, Names(changed), IsLocal: true), notes);
                ScheduleSend(notes);
            }
        }

        notes.Run();
        return true;
    }

    // The first change after a quiet window leaves at once; later ones wait for the window to close and leave together.
    private void ScheduleSend(Notifications notes)
    {
        if (_flushPending || _engine.IsStopped)
        {
            return;
        }

        TimeSpan window = _engine.Options.CoalesceWindow;
        TimeSpan since = _engine.Time.GetUtcNow() - _lastSend;
        if (window <= TimeSpan.Zero || since >= window)
        {
            FlushLocked(notes);
            return;
        }

        _flushPending = true;
        _coalesceTimer.Change(window - since, Timeout.InfiniteTimeSpan);
    }

    private void OnCoalesceTimer()
    {
        try
        {
            var notes = new Notifications();
            lock (_engine.Gate)
            {
                if (_flushPending && !_engine.IsStopped)
                {
                    FlushLocked(notes);
                }
            }

            notes.Run();
        }
#pragma warning disable CA1031 // A timer callback that throws would end the process; the next write or digest retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _engine.Metrics.InternalError("sync_timer");
            SyncLog.TimerFailed(Logger, e);
        }
    }

    /// <summary>Sends the difference between what peers know (<c>_sent</c>) and the local slice, as one version step.</summary>
    private void FlushLocked(Notifications notes)
    {
        _flushPending = false;
        T? current = _local, sent = _sent;
        if (current is null)
        {
            if (_snapshot is null)
            {
                return; // nothing was ever sent, or the retirement already was
            }

            _seq++;
            (_sent, _snapshot, _lastSend) = (default, null, _engine.Time.GetUtcNow());
            _engine.Broadcast(new SnapshotMessage(T.StoreId, _engine.LocalDeviceId, _engine.Incarnation, _seq, ReadOnlyMemory<byte>.Empty));
            SyncMetrics.Count(_engine.Metrics.Sync.SnapshotsSent, T.StoreId);
            Save(notes);
            return;
        }

        MemberMask changed = sent is null ? MemberMask.All(T.MemberNames.Length) : T.Diff(sent, current);
        if (changed.IsEmpty)
        {
            return; // changed and changed back within the window
        }

        byte[] whole = Encode(current, MemberMask.All(T.MemberNames.Length));
        if (whole.Length > _engine.Options.MaxSliceBytes)
        {
            SyncMetrics.Count(_engine.Metrics.Sync.TooLarge, T.StoreId);
            SyncLog.TooLarge(Logger, T.StoreId, whole.Length, _engine.Options.MaxSliceBytes);
            return;
        }

        byte[]? delta = sent is null ? null : Encode(current, changed);
        _seq++;
        (_sent, _snapshot, _lastSend) = (current, whole, _engine.Time.GetUtcNow());
        if (delta is null || delta.Length >= whole.Length)
        {
            _engine.Broadcast(SnapshotNow());
            SyncMetrics.Count(_engine.Metrics.Sync.SnapshotsSent, T.StoreId);
        }
        else
        {
            _engine.Broadcast(new DeltaMessage(T.StoreId, _engine.LocalDeviceId, _engine.Incarnation, _seq - 1, _seq, changed, delta));
            SyncMetrics.Count(_engine.Metrics.Sync.DeltasSent, T.StoreId);
        }

        Save(notes);
    }

    private SnapshotMessage SnapshotNow() =>
        new(T.StoreId, _engine.LocalDeviceId, _engine.Incarnation, _seq, _snapshot ?? ReadOnlyMemory<byte>.Empty);

    private static byte[] Encode(T value, MemberMask members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        T.WriteMembers(ref writer, value, members, TruffleSerializer.Options);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    // The file is written after the lock is released; the persistence keeps only the newest seq.
    private void Save(Notifications notes)
    {
        if (_persistence is { } persistence)
        {
            (ulong seq, byte[]? whole) = (_seq, _snapshot);
            notes.Add(() => persistence.Save(_engine.Incarnation, seq, whole));
        }
    }

    /// <summary>
    /// Called once the store is registered: restores the saved local slice (a new incarnation, so seq 1) and
    /// broadcasts it, then asks every connected device for its slice.
    /// </summary>
    internal void Open(IEnumerable<string> connected, Notifications notes)
    {
        if (_persistence?.Load() is { } saved)
        {
            try
            {
                T restored = TruffleSerializer.Deserialize(new ReadOnlySequence<byte>(saved.Whole), T.Formatter);
                _local = restored;
                Publish(new SliceChanged<T>(_engine.LocalDeviceId, restored, T.MemberNames, IsLocal: true), notes);
                FlushLocked(notes);
                SyncLog.Loaded(Logger, T.StoreId, saved.Seq);
            }
            catch (TruffleSerializationException e)
            {
                _engine.Metrics.Sync.PersistenceError("load", T.StoreId);
                SyncLog.LoadFailed(Logger, T.StoreId, _persistence.Path, e);
            }
        }

        foreach (string deviceId in connected)
        {
            ((IStoreCore)this).RequestFrom(deviceId);
        }
    }

    /// <inheritdoc/>
    void IStoreCore.Flush(Notifications notes)
    {
        if (_flushPending)
        {
            FlushLocked(notes);
        }
    }

    /// <inheritdoc/>
    void IStoreCore.SendSnapshotTo(string deviceId)
    {
        if (_snapshot is not null)
        {
            _engine.Send(deviceId, SnapshotNow());
            SyncMetrics.Count(_engine.Metrics.Sync.SnapshotsSent, T.StoreId);
        }
    }

    /// <inheritdoc/>
    void IStoreCore.OnRequest(string from)
    {
        if (_seq > 0)
        {
            _engine.Send(from, SnapshotNow()); // a retired slice answers with an empty snapshot
            SyncMetrics.Count(_engine.Metrics.Sync.SnapshotsSent, T.StoreId);
        }
    }
}
