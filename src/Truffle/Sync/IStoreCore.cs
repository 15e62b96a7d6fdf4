namespace Truffle.Sync;

/// <summary>
/// What the engine needs of a <see cref="SyncedStore{T}"/> without knowing its slice type. Every member is called
/// with the engine's lock held; effects that must run outside it go to the <see cref="Notifications"/>.
/// </summary>
internal interface IStoreCore
{
    /// <summary>The store id.</summary>
    string StoreId { get; }

    /// <summary>A delta from its owner, already checked against spoofing and tombstones.</summary>
    void OnDelta(DeltaMessage delta, Notifications notes);

    /// <summary>A snapshot from its owner, already checked against spoofing and tombstones.</summary>
    void OnSnapshot(SnapshotMessage snapshot, Notifications notes);

    /// <summary><paramref name="from"/> asks for this device's slice.</summary>
    void OnRequest(string from);

    /// <summary><paramref name="from"/> holds <paramref name="entry"/>: request it if newer, or push ours if theirs is older.</summary>
    void OnDigestEntry(string from, DigestEntry entry);

    /// <summary>Adds the versions this store holds (the local slice and every replica) to a digest.</summary>
    void AddDigestEntries(List<DigestEntry> entries);

    /// <summary>Sends the local slice to <paramref name="deviceId"/> when it is not empty (a device joined).</summary>
    void SendSnapshotTo(string deviceId);

    /// <summary>Asks <paramref name="deviceId"/> for its slice (this store was opened after it joined).</summary>
    void RequestFrom(string deviceId);

    /// <summary>Removes the replicas of <paramref name="owner"/> whose incarnation is below <paramref name="belowIncarnation"/>.</summary>
    void RemoveOwner(string owner, ulong belowIncarnation, Notifications notes);

    /// <summary>The highest incarnation of <paramref name="owner"/> this store holds, or 0.</summary>
    ulong IncarnationOf(string owner);

    /// <summary>Sends any local change still waiting for its coalescing window.</summary>
    void Flush(Notifications notes);

    /// <summary>Stops timers and ends every <c>ChangesAsync</c> reader.</summary>
    void Stop();
}
