using System.Buffers;
using Truffle.Sync;

namespace Truffle;

/// <summary>Replicas of other devices' slices: the receiver rules of the protocol.</summary>
public sealed partial class SyncedStore<T>
{
    /// <inheritdoc/>
    void IStoreCore.OnDelta(DeltaMessage delta, Notifications notes)
    {
        if (delta.Values.Length > _engine.Options.MaxSliceBytes)
        {
            _engine.Metrics.Sync.Reject(RejectReason.Malformed, T.StoreId);
            return;
        }

        _replicas.TryGetValue(delta.Owner, out Replica? held);
        if (held is not null && (delta.Incarnation < held.Incarnation || (delta.Incarnation == held.Incarnation && delta.Seq <= held.Seq)))
        {
            _engine.Metrics.Sync.Reject(RejectReason.Stale, T.StoreId); // a duplicate, or overtaken by a snapshot
            return;
        }

        if (held?.Value is not { } previous || delta.Incarnation != held.Incarnation || delta.BaseSeq != held.Seq)
        {
            // No exact succession (nothing held, a gap, or a new incarnation): only a snapshot can help.
            _engine.Metrics.Sync.Reject(RejectReason.Gap, T.StoreId);
            SyncLog.Gap(Logger, T.StoreId, delta.Owner, held?.Incarnation ?? 0, held?.Seq ?? 0, delta.Incarnation, delta.BaseSeq, delta.Seq);
            Request(delta.Owner);
            return;
        }

        T next;
        MemberMask applied;
        try
        {
            next = SliceDelta.FromValues(delta.Values).Apply(previous, out applied);
        }
        catch (TruffleSerializationException e)
        {
            _engine.Metrics.Sync.Reject(RejectReason.Malformed, T.StoreId);
            SyncLog.ApplyFailed(Logger, T.StoreId, delta.Owner, e);
            Request(delta.Owner);
            return;
        }

        held.Seq = delta.Seq;
        held.Value = next;
        Show(delta.Owner, next, applied, notes);
        SyncMetrics.Count(_engine.Metrics.Sync.DeltasApplied, T.StoreId);
    }

    /// <inheritdoc/>
    void IStoreCore.OnSnapshot(SnapshotMessage snapshot, Notifications notes)
    {
        _replicas.TryGetValue(snapshot.Owner, out Replica? held);
        if (held is not null && (snapshot.Incarnation < held.Incarnation || (snapshot.Incarnation == held.Incarnation && snapshot.Seq <= held.Seq)))
        {
            _engine.Metrics.Sync.Reject(RejectReason.Stale, T.StoreId);
            return;
        }

        T? value = default;
        if (!snapshot.IsRetired)
        {
            try
            {
                value = snapshot.Values.Length <= _engine.Options.MaxSliceBytes
                    ? TruffleSerializer.Deserialize(new ReadOnlySequence<byte>(snapshot.Values), T.Formatter)
                    : default;
            }
            catch (TruffleSerializationException e)
            {
                SyncLog.ApplyFailed(Logger, T.StoreId, snapshot.Owner, e);
            }

            if (value is null)
            {
                _engine.Metrics.Sync.Reject(RejectReason.Malformed, T.StoreId);
                return;
            }
        }

        T? previous = held?.Value;
        _replicas[snapshot.Owner] = new Replica { Incarnation = snapshot.Incarnation, Seq = snapshot.Seq, Value = value };
        _requested.Remove(snapshot.Owner);
        SyncMetrics.Count(_engine.Metrics.Sync.SnapshotsApplied, T.StoreId);
        if (value is null)
        {
            Hide(snapshot.Owner, previous, notes);
        }
        else
        {
            Show(snapshot.Owner, value, previous is null ? MemberMask.All(T.MemberNames.Length) : T.Diff(previous, value), notes);
        }
    }

    /// <inheritdoc/>
    void IStoreCore.OnDigestEntry(string from, DigestEntry entry)
    {
        if (entry.Owner == _engine.LocalDeviceId)
        {
            // The sender holds an older version of our slice: push the current one rather than wait for its request.
            bool behind = entry.Incarnation < _engine.Incarnation || (entry.Incarnation == _engine.Incarnation && entry.Seq < _seq);
            if (behind && _seq > 0)
            {
                _engine.Send(from, SnapshotNow());
                SyncMetrics.Count(_engine.Metrics.Sync.SnapshotsSent, T.StoreId);
            }

            return;
        }

        if (!_replicas.TryGetValue(entry.Owner, out Replica? held)
            || entry.Incarnation > held.Incarnation
            || (entry.Incarnation == held.Incarnation && entry.Seq > held.Seq))
        {
            Request(entry.Owner);
        }
    }

    /// <inheritdoc/>
    void IStoreCore.AddDigestEntries(List<DigestEntry> entries)
    {
        // Only the slice this device owns: every owner broadcasts its own entry, so listing replicas as well would
        // repeat each entry n times to n devices (n^3 bytes per interval across the mesh, 20 MiB per interval at the
        // primary of 100 devices, docs/scale.md) without reaching anyone the owner's own digest does not.
        if (_seq > 0)
        {
            entries.Add(new DigestEntry(T.StoreId, _engine.LocalDeviceId, _engine.Incarnation, _seq));
        }
    }

    /// <inheritdoc/>
    void IStoreCore.RequestFrom(string deviceId) => Request(deviceId);

    /// <inheritdoc/>
    void IStoreCore.RemoveOwner(string owner, ulong belowIncarnation, Notifications notes)
    {
        if (_replicas.TryGetValue(owner, out Replica? held) && held.Incarnation < belowIncarnation)
        {
            _replicas.Remove(owner);
            _requested.Remove(owner);
            Hide(owner, held.Value, notes);
        }
    }

    /// <inheritdoc/>
    ulong IStoreCore.IncarnationOf(string owner) => _replicas.TryGetValue(owner, out Replica? held) ? held.Incarnation : 0;

    private void Request(string owner)
    {
        DateTimeOffset now = _engine.Time.GetUtcNow();
        if (_requested.TryGetValue(owner, out DateTimeOffset last) && now - last < _engine.Options.RequestBackoff)
        {
            return;
        }

        _requested[owner] = now;
        _engine.Send(owner, new RequestMessage(T.StoreId, owner));
        SyncMetrics.Count(_engine.Metrics.Sync.RequestsSent, T.StoreId);
    }

    private void Show(string owner, T value, MemberMask changed, Notifications notes)
    {
        Volatile.Write(ref _remotes, _remotes.SetItem(owner, value));
        if (!changed.IsEmpty)
        {
            Publish(new SliceChanged<T>(owner, value, Names(changed), IsLocal: false), notes);
        }
    }

    private void Hide(string owner, T? previous, Notifications notes)
    {
        if (previous is not null)
        {
            Volatile.Write(ref _remotes, _remotes.Remove(owner));
            Publish(new SliceChanged<T>(owner, default, T.MemberNames, IsLocal: false), notes);
        }
    }

    /// <summary>What this device holds of one owner's slice: its version and value (null when retired).</summary>
    private sealed class Replica
    {
        public ulong Incarnation { get; init; }

        public ulong Seq { get; set; }

        public T? Value { get; set; }
    }
}
