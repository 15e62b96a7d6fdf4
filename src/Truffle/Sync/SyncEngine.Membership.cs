namespace Truffle.Sync;

/// <summary>Membership (joins, leaves, goodbyes), tombstones and the digest.</summary>
public sealed partial class SyncEngine
{
    /// <summary>
    /// The ids of the stores other devices hold slices of, as their digests and slices name them, whether or not this device
    /// opened them (at most <see cref="MaxAnnouncedStores"/>): how a tool such as <c>truffle dev</c> finds the stores
    /// of an app it has no types of, to open them with <see cref="RawStore"/>. A store stays listed once named.
    /// </summary>
    public IReadOnlyCollection<string> AnnouncedStores
    {
        get
        {
            lock (Gate)
            {
                return [.. _announced];
            }
        }
    }

    /// <summary>
    /// The mesh connected <paramref name="deviceId"/>, running as <paramref name="incarnation"/> (the incarnation
    /// its engine was created with). Replicas of its earlier incarnations are dropped, a tombstone of this same
    /// incarnation is lifted (it came back), and it is sent a snapshot of every non-empty local slice and a digest.
    /// </summary>
    internal void DeviceJoined(string deviceId, ulong incarnation)
    {
        var notes = new Notifications();
        lock (Gate)
        {
            if (_stopped || deviceId == LocalDeviceId)
            {
                return;
            }

            SyncLog.DeviceJoined(Logger, deviceId, incarnation);
            _devices[deviceId] = incarnation;
            // The same incarnation came back (a healed partition): lift its tombstone. A higher one needs no help,
            // since a tombstone only blocks the incarnations up to its own.
            if (_tombstones.TryGetValue(deviceId, out Tombstone tombstone) && tombstone.Incarnation == incarnation)
            {
                _tombstones.Remove(deviceId);
            }

            foreach (IStoreCore store in _stores.Values)
            {
                store.RemoveOwner(deviceId, incarnation, notes);
                store.SendSnapshotTo(deviceId);
            }

            if (BuildDigest() is { } digest)
            {
                Send(deviceId, digest);
            }
        }

        notes.Run();
    }

    /// <summary>
    /// The mesh declared <paramref name="deviceId"/> gone: its slices are removed from every store (a change with a
    /// null value is raised for each) and tombstoned for <see cref="SyncOptions.TombstoneTtl"/>.
    /// </summary>
    internal void DeviceLeft(string deviceId)
    {
        var notes = new Notifications();
        lock (Gate)
        {
            if (_stopped || deviceId == LocalDeviceId)
            {
                return;
            }

            _devices.TryGetValue(deviceId, out ulong incarnation);
            _devices.Remove(deviceId);
            Bury(deviceId, incarnation, notes);
            SyncLog.DeviceLeft(Logger, deviceId, _tombstones[deviceId].Incarnation);
        }

        notes.Run();
    }

    /// <summary>Why a message of <paramref name="owner"/>'s <paramref name="incarnation"/> is refused, or null.</summary>
    private string? Blocked(string owner, ulong incarnation)
    {
        if (_tombstones.TryGetValue(owner, out Tombstone tombstone))
        {
            if (Time.GetUtcNow() - tombstone.Since >= Options.TombstoneTtl)
            {
                _tombstones.Remove(owner);
            }
            else if (incarnation <= tombstone.Incarnation)
            {
                return RejectReason.Tombstoned;
            }
        }

        // The mesh already knows a later run of this device: anything of an earlier one is stale.
        return _devices.TryGetValue(owner, out ulong current) && incarnation < current ? RejectReason.Stale : null;
    }

    private void Bury(string deviceId, ulong incarnation, Notifications notes)
    {
        foreach (IStoreCore store in _stores.Values)
        {
            incarnation = Math.Max(incarnation, store.IncarnationOf(deviceId));
            store.RemoveOwner(deviceId, ulong.MaxValue, notes);
        }

        if (_tombstones.TryGetValue(deviceId, out Tombstone existing))
        {
            incarnation = Math.Max(incarnation, existing.Incarnation);
        }

        _tombstones[deviceId] = new Tombstone(incarnation, Time.GetUtcNow());
    }

    private void OnGoodbye(string from, GoodbyeMessage goodbye, Notifications notes)
    {
        if (goodbye.Owner != from)
        {
            Metrics.Sync.Reject(RejectReason.Spoofed, string.Empty);
            SyncLog.Spoofed(Logger, "goodbye", string.Empty, goodbye.Owner, from);
            return;
        }

        if (Blocked(goodbye.Owner, goodbye.Incarnation) is { } reason)
        {
            Metrics.Sync.Reject(reason, string.Empty);
            return;
        }

        foreach (IStoreCore store in _stores.Values)
        {
            if (store.IncarnationOf(goodbye.Owner) > goodbye.Incarnation)
            {
                Metrics.Sync.Reject(RejectReason.Stale, string.Empty);
                return;
            }
        }

        SyncLog.Goodbye(Logger, goodbye.Owner, goodbye.Incarnation);
        Bury(goodbye.Owner, goodbye.Incarnation, notes);
    }

    private void OnDigest(string from, DigestMessage digest)
    {
        foreach (DigestEntry entry in digest.Entries)
        {
            Announce(entry.Store);
            if (!_stores.TryGetValue(entry.Store, out IStoreCore? store))
            {
                continue;
            }

            if (entry.Owner == LocalDeviceId || Blocked(entry.Owner, entry.Incarnation) is null)
            {
                store.OnDigestEntry(from, entry);
            }
        }
    }

    /// <summary>Another device named a store it holds a slice of (in a digest, a snapshot or a delta). Under the lock.</summary>
    private void Announce(string storeId)
    {
        if (_announced.Count < MaxAnnouncedStores)
        {
            _announced.Add(storeId);
        }
    }

    private void OnDigestTimer()
    {
        try
        {
            BroadcastDigest();
        }
#pragma warning disable CA1031 // A timer callback that throws would end the process; log and try again next time.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SyncLog.TimerFailed(Logger, e);
        }
    }

    private void BroadcastDigest()
    {
        lock (Gate)
        {
            if (_stopped)
            {
                return;
            }

            DateTimeOffset now = Time.GetUtcNow();
            foreach (KeyValuePair<string, Tombstone> expired in _tombstones.Where(t => now - t.Value.Since >= Options.TombstoneTtl).ToList())
            {
                _tombstones.Remove(expired.Key);
            }

            if (BuildDigest() is { } digest)
            {
                Broadcast(digest);
            }
        }
    }

    private DigestMessage? BuildDigest()
    {
        var entries = new List<DigestEntry>();
        foreach (IStoreCore store in _stores.Values)
        {
            store.AddDigestEntries(entries);
        }

        return entries.Count == 0 ? null : new DigestMessage([.. entries]);
    }

    /// <summary>A device declared gone at <see cref="Since"/>, with the highest incarnation it was known by.</summary>
    private readonly record struct Tombstone(ulong Incarnation, DateTimeOffset Since);
}
