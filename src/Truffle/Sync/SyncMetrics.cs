using System.Diagnostics.Metrics;
using Truffle.Wire;

namespace Truffle.Sync;

/// <summary>State sync's instruments on the one <c>Truffle</c> meter; every one is tagged with <c>store</c>.</summary>
internal static class SyncMetrics
{
    /// <summary>Deltas broadcast for local changes.</summary>
    public static readonly Counter<long> DeltasSent =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.deltas.sent", "{delta}", "Deltas broadcast for local changes.");

    /// <summary>Deltas applied to a replica.</summary>
    public static readonly Counter<long> DeltasApplied =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.deltas.applied", "{delta}", "Deltas applied to replicas.");

    /// <summary>Snapshots sent (broadcast or to one device).</summary>
    public static readonly Counter<long> SnapshotsSent =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.snapshots.sent", "{snapshot}", "Snapshots sent.");

    /// <summary>Snapshots that replaced a replica.</summary>
    public static readonly Counter<long> SnapshotsApplied =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.snapshots.applied", "{snapshot}", "Snapshots applied to replicas.");

    /// <summary>Snapshot requests sent to owners after a gap, a new incarnation or a newer digest entry.</summary>
    public static readonly Counter<long> RequestsSent =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.requests.sent", "{request}", "Snapshot requests sent to owners.");

    /// <summary>
    /// Messages or parts of them refused (tag <c>reason</c>: <c>spoofed</c>, <c>stale</c>, <c>gap</c>,
    /// <c>malformed</c>, <c>tombstoned</c>).
    /// </summary>
    public static readonly Counter<long> Rejected =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.rejected", "{message}", "Sync messages refused.");

    /// <summary>Local slices not sent because they encode to more than <see cref="SyncOptions.MaxSliceBytes"/>.</summary>
    public static readonly Counter<long> TooLarge =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.too_large", "{slice}", "Local slices too large to send; they are kept locally.");

    /// <summary>Saves or loads of the persisted local slice that failed (tag <c>op</c>: <c>save</c>, <c>load</c>).</summary>
    public static readonly Counter<long> PersistenceErrors =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.persistence.errors", "{error}", "Saves or loads of the persisted local slice that failed.");

    /// <summary>Changes dropped from a full <c>ChangesAsync</c> reader.</summary>
    public static readonly Counter<long> ChangesDropped =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.sync.changes.dropped", "{change}", "Changes dropped by a slow ChangesAsync reader.");

    public static void Count(Counter<long> counter, string store) =>
        counter.Add(1, new KeyValuePair<string, object?>("store", store));

    public static void PersistenceError(string op, string store) =>
        PersistenceErrors.Add(1, new KeyValuePair<string, object?>("op", op), new KeyValuePair<string, object?>("store", store));

    public static void Reject(string reason, string store) =>
        Rejected.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("store", store));
}

/// <summary>The <c>reason</c> tags of <see cref="SyncMetrics.Rejected"/>.</summary>
internal static class RejectReason
{
    public const string Spoofed = "spoofed";
    public const string Stale = "stale";
    public const string Gap = "gap";
    public const string Malformed = "malformed";
    public const string Tombstoned = "tombstoned";
}
