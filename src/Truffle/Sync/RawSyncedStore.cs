using System.Collections.Immutable;
using Truffle.Sync;

namespace Truffle;

/// <summary>
/// A synced store watched without its slice type: read-only replicas of every other device's slice as MessagePack
/// maps, for tools and bridges that know a store only by its id. Get it from <c>node.Sync.RawStore(id)</c>. This
/// device owns no slice of it and sends none. Every member is thread-safe.
/// </summary>
/// <remarks>
/// The receiver rules are those of <see cref="SyncedStore{T}"/> (owner only, exact succession, snapshots replace,
/// tombstones): a delta is applied by replacing the members its map carries, so no formatter is needed.
/// </remarks>
public sealed class RawSyncedStore : IStoreCore
{
    private readonly SyncEngine _engine;
    private readonly ChangeFeed<RawSliceChanged> _changes;
    private readonly Dictionary<string, Replica> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _requested = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, ReadOnlyMemory<byte>> _remotes = ImmutableDictionary.Create<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
    private ImmutableDictionary<string, RawSlice> _slices = ImmutableDictionary.Create<string, RawSlice>(StringComparer.Ordinal);

    internal RawSyncedStore(SyncEngine engine, string storeId)
    {
        _engine = engine;
        StoreId = storeId;
        _changes = new ChangeFeed<RawSliceChanged>(engine, storeId);
    }

    /// <summary>The store id.</summary>
    public string StoreId { get; }

    /// <summary>Each other device's slice by device id, as a MessagePack map: a consistent snapshot without retired or departed slices.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Remotes => Volatile.Read(ref _remotes);

    /// <summary>
    /// Each other device's slice by device id with its version (what <c>truffle dev</c> summarises): a consistent
    /// snapshot, as <see cref="Remotes"/> is, taken separately from it.
    /// </summary>
    public IReadOnlyDictionary<string, RawSlice> Slices => Volatile.Read(ref _slices);

    /// <summary>
    /// Every change from this call on, buffered and dropped oldest-first as <see cref="SyncedStore{T}.ChangesAsync"/>
    /// does. The reader is registered when this method is called; it ends when sync stops.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public IAsyncEnumerable<RawSliceChanged> ChangesAsync(CancellationToken cancellationToken = default) =>
        _changes.Subscribe(cancellationToken);

    /// <summary>Asks every connected device for its slice. Under the lock.</summary>
    internal void Open(IEnumerable<string> connected)
    {
        foreach (string deviceId in connected)
        {
            Request(deviceId);
        }
    }

    /// <inheritdoc/>
    void IStoreCore.OnDelta(DeltaMessage delta, Notifications notes)
    {
        if (delta.Values.Length > _engine.Options.MaxSliceBytes)
        {
            _engine.Metrics.Sync.Reject(RejectReason.Malformed, StoreId);
            return;
        }

        _replicas.TryGetValue(delta.Owner, out Replica? held);
        if (held is not null && (delta.Incarnation < held.Incarnation || (delta.Incarnation == held.Incarnation && delta.Seq <= held.Seq)))
        {
            _engine.Metrics.Sync.Reject(RejectReason.Stale, StoreId);
            return;
        }

        if (held?.Members is not { } previous || delta.Incarnation != held.Incarnation || delta.BaseSeq != held.Seq)
        {
            _engine.Metrics.Sync.Reject(RejectReason.Gap, StoreId);
            SyncLog.Gap(_engine.Logger, StoreId, delta.Owner, held?.Incarnation ?? 0, held?.Seq ?? 0, delta.Incarnation, delta.BaseSeq, delta.Seq);
            Request(delta.Owner);
            return;
        }

        var next = new List<KeyValuePair<string, byte[]>>(previous);
        List<string> carried;
        try
        {
            carried = RawSliceMap.Apply(next, delta.Values);
        }
        catch (TruffleSerializationException e)
        {
            _engine.Metrics.Sync.Reject(RejectReason.Malformed, StoreId);
            SyncLog.ApplyFailed(_engine.Logger, StoreId, delta.Owner, e);
            Request(delta.Owner);
            return;
        }

        held.Seq = delta.Seq;
        held.Members = next;
        Show(delta.Owner, held, carried);
        SyncMetrics.Count(_engine.Metrics.Sync.DeltasApplied, StoreId);
    }

    /// <inheritdoc/>
    void IStoreCore.OnSnapshot(SnapshotMessage snapshot, Notifications notes)
    {
        _replicas.TryGetValue(snapshot.Owner, out Replica? held);
        if (held is not null && (snapshot.Incarnation < held.Incarnation || (snapshot.Incarnation == held.Incarnation && snapshot.Seq <= held.Seq)))
        {
            _engine.Metrics.Sync.Reject(RejectReason.Stale, StoreId);
            return;
        }

        List<KeyValuePair<string, byte[]>>? members = null;
        if (!snapshot.IsRetired)
        {
            try
            {
                members = snapshot.Values.Length <= _engine.Options.MaxSliceBytes ? RawSliceMap.Read(snapshot.Values) : null;
            }
            catch (TruffleSerializationException e)
            {
                SyncLog.ApplyFailed(_engine.Logger, StoreId, snapshot.Owner, e);
            }

            if (members is null)
            {
                _engine.Metrics.Sync.Reject(RejectReason.Malformed, StoreId);
                return;
            }
        }

        List<KeyValuePair<string, byte[]>>? previous = held?.Members;
        var replica = new Replica { Incarnation = snapshot.Incarnation, Seq = snapshot.Seq, Members = members };
        _replicas[snapshot.Owner] = replica;
        _requested.Remove(snapshot.Owner);
        SyncMetrics.Count(_engine.Metrics.Sync.SnapshotsApplied, StoreId);
        if (members is null)
        {
            Hide(snapshot.Owner, previous);
        }
        else
        {
            Show(snapshot.Owner, replica, previous is null ? [.. members.Select(m => m.Key)] : RawSliceMap.Diff(previous, members));
        }
    }

    /// <inheritdoc/>
    void IStoreCore.OnRequest(string from)
    {
        // This device owns no slice of a raw store: nothing to answer.
    }

    /// <inheritdoc/>
    void IStoreCore.OnDigestEntry(string from, DigestEntry entry)
    {
        if (entry.Owner != _engine.LocalDeviceId
            && (!_replicas.TryGetValue(entry.Owner, out Replica? held)
                || entry.Incarnation > held.Incarnation
                || (entry.Incarnation == held.Incarnation && entry.Seq > held.Seq)))
        {
            Request(entry.Owner);
        }
    }

    /// <inheritdoc/>
    void IStoreCore.AddDigestEntries(List<DigestEntry> entries)
    {
        // Digests list only the sender's own slices, and this device has none here.
    }

    /// <inheritdoc/>
    void IStoreCore.SendSnapshotTo(string deviceId)
    {
        // No local slice to send.
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
            Hide(owner, held.Members);
        }
    }

    /// <inheritdoc/>
    ulong IStoreCore.IncarnationOf(string owner) => _replicas.TryGetValue(owner, out Replica? held) ? held.Incarnation : 0;

    /// <inheritdoc/>
    void IStoreCore.Flush(Notifications notes)
    {
        // Nothing local is ever pending.
    }

    /// <inheritdoc/>
    void IStoreCore.Stop() => _changes.Complete();

    private void Request(string owner)
    {
        DateTimeOffset now = _engine.Time.GetUtcNow();
        if (_requested.TryGetValue(owner, out DateTimeOffset last) && now - last < _engine.Options.RequestBackoff)
        {
            return;
        }

        _requested[owner] = now;
        _engine.Send(owner, new RequestMessage(StoreId, owner));
        SyncMetrics.Count(_engine.Metrics.Sync.RequestsSent, StoreId);
    }

    // Readers only: a raw store has no events, so nothing waits for the lock's release.
    private void Show(string owner, Replica replica, List<string> changed)
    {
        byte[] value = RawSliceMap.Write(replica.Members!);
        Volatile.Write(ref _remotes, _remotes.SetItem(owner, value));
        Volatile.Write(ref _slices, _slices.SetItem(owner, new RawSlice(value, replica.Incarnation, replica.Seq)));
        if (changed.Count > 0)
        {
            _changes.Publish(new RawSliceChanged(StoreId, owner, value, [.. changed]));
        }
    }

    private void Hide(string owner, List<KeyValuePair<string, byte[]>>? previous)
    {
        if (previous is not null)
        {
            Volatile.Write(ref _remotes, _remotes.Remove(owner));
            Volatile.Write(ref _slices, _slices.Remove(owner));
            _changes.Publish(new RawSliceChanged(StoreId, owner, null, [.. previous.Select(m => m.Key)]));
        }
    }

    /// <summary>What this device holds of one owner's slice: its version and members (null when retired).</summary>
    private sealed class Replica
    {
        public ulong Incarnation { get; init; }

        public ulong Seq { get; set; }

        public List<KeyValuePair<string, byte[]>>? Members { get; set; }
    }
}
