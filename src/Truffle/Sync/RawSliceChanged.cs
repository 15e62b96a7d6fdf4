using System.Collections.Immutable;

namespace Truffle;

/// <summary>A slice of a store watched without its type (<see cref="RawSyncedStore"/>) changed.</summary>
/// <param name="StoreId">The store id.</param>
/// <param name="DeviceId">The device that owns the slice.</param>
/// <param name="Value">
/// The whole slice after the change, as the MessagePack map of camelCase member names the owner's generated
/// formatter writes; null when it was removed (retired by its owner, or its device left).
/// </param>
/// <param name="ChangedMembers">The names of the members that changed (every member when the slice appeared or was removed).</param>
public sealed record RawSliceChanged(string StoreId, string DeviceId, ReadOnlyMemory<byte>? Value, ImmutableArray<string> ChangedMembers);
