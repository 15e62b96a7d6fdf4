using System.Collections.Immutable;

namespace Truffle;

/// <summary>A slice of a synced store changed.</summary>
/// <typeparam name="T">The slice type.</typeparam>
/// <param name="DeviceId">The device that owns the slice.</param>
/// <param name="Value">The slice after the change, or null when it was removed (retired by its owner, or its device left).</param>
/// <param name="ChangedMembers">The names of the members that changed, in declaration order (every member when the slice appeared or was removed).</param>
/// <param name="IsLocal">True for this device's own slice.</param>
public sealed record SliceChanged<T>(string DeviceId, T? Value, ImmutableArray<string> ChangedMembers, bool IsLocal);
