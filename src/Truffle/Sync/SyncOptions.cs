namespace Truffle;

/// <summary>Timings and limits of state sync. The defaults suit a local network of a few dozen devices.</summary>
public sealed record SyncOptions
{
    /// <summary>How often each device broadcasts the versions it holds, so that peers request what they missed (15 s).</summary>
    public TimeSpan DigestInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the slices of a device the mesh declared gone stay tombstoned (5 min): late messages of its
    /// incarnation cannot bring them back during this time. Keep it at least twice <see cref="DigestInterval"/>.
    /// </summary>
    public TimeSpan TombstoneTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Local changes made within this window after a send are merged into one delta (10 ms). The first change after a
    /// quiet period leaves at once; <see cref="TimeSpan.Zero"/> sends every change at once.
    /// </summary>
    public TimeSpan CoalesceWindow { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How long a replica waits before asking an owner again for the same slice (1 s).</summary>
    public TimeSpan RequestBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The largest encoded slice sent or accepted (1 MiB less 4 KiB, so that its message fits in one envelope; a node
    /// lowers a larger value to that). A larger local slice is kept but not sent (logged, counted in
    /// <c>truffle.sync.too_large</c>); a larger one received is counted as malformed.
    /// </summary>
    public int MaxSliceBytes { get; init; } = Wire.EnvelopeLimits.Default.MaxPayloadBytes - Sync.StoreSyncAdapter.HeaderRoom;

    /// <summary>How many changes each <c>ChangesAsync</c> reader buffers before the oldest is dropped (256).</summary>
    public int ChangeBufferCapacity { get; init; } = 256;

    /// <summary>
    /// Where local slices are kept across restarts (<c>sync-{storeId}.msgpack</c>), or null to keep nothing.
    /// </summary>
    public string? StateDirectory { get; init; }
}
