using System.Diagnostics.Metrics;
using Truffle.Wire;

namespace Truffle.Sync;

/// <summary>State sync's instruments on the one <c>Truffle</c> meter; every one is tagged with <c>store</c>.</summary>
internal sealed class SyncMetrics(Meter meter)
{
    /// <summary>Deltas broadcast for local changes.</summary>
    public Counter<long> DeltasSent { get; } =
        meter.CreateCounter<long>("truffle.sync.deltas.sent", "{delta}", "Deltas broadcast for local changes.");

    /// <summary>Deltas applied to a replica.</summary>
    public Counter<long> DeltasApplied { get; } =
        meter.CreateCounter<long>("truffle.sync.deltas.applied", "{delta}", "Deltas applied to replicas.");

    /// <summary>Snapshots sent (broadcast or to one device).</summary>
    public Counter<long> SnapshotsSent { get; } =
        meter.CreateCounter<long>("truffle.sync.snapshots.sent", "{snapshot}", "Snapshots sent.");

    /// <summary>Snapshots that replaced a replica.</summary>
    public Counter<long> SnapshotsApplied { get; } =
        meter.CreateCounter<long>("truffle.sync.snapshots.applied", "{snapshot}", "Snapshots applied to replicas.");

    /// <summary>Snapshot requests sent to owners after a gap, a new incarnation or a newer digest entry.</summary>
    public Counter<long> RequestsSent { get; } =
        meter.CreateCounter<long>("truffle.sync.requests.sent", "{request}", "Snapshot requests sent to owners.");

    /// <summary>
    /// Messages or parts of them refused (tag <c>reason</c>: <c>spoofed</c>, <c>stale</c>, <c>gap</c>,
    /// <c>malformed</c>, <c>tombstoned</c>).
    /// </summary>
    public Counter<long> Rejected { get; } =
        meter.CreateCounter<long>("truffle.sync.rejected", "{message}", "Sync messages refused.");

    /// <summary>Local slices not sent because they encode to more than <see cref="SyncOptions.MaxSliceBytes"/>.</summary>
    public Counter<long> TooLarge { get; } =
        meter.CreateCounter<long>("truffle.sync.too_large", "{slice}", "Local slices too large to send; they are kept locally.");

    /// <summary>Saves or loads of the persisted local slice that failed (tag <c>op</c>: <c>save</c>, <c>load</c>).</summary>
    public Counter<long> PersistenceErrors { get; } =
        meter.CreateCounter<long>("truffle.sync.persistence.errors", "{error}", "Saves or loads of the persisted local slice that failed.");

    /// <summary>Changes dropped from a full <c>ChangesAsync</c> reader.</summary>
    public Counter<long> ChangesDropped { get; } =
        meter.CreateCounter<long>("truffle.sync.changes.dropped", "{change}", "Changes dropped by a slow ChangesAsync reader.");

    public static void Count(Counter<long> counter, string store) =>
        counter.Add(1, new KeyValuePair<string, object?>("store", store));

    public void PersistenceError(string op, string store) =>
        PersistenceErrors.Add(1, new KeyValuePair<string, object?>("op", op), new KeyValuePair<string, object?>("store", store));

    public void Reject(string reason, string store) =>
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
