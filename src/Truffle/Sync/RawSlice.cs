namespace Truffle;

/// <summary>One device's slice of a store watched without its type (<see cref="RawSyncedStore.Slices"/>).</summary>
/// <param name="Value">The slice as the MessagePack map of camelCase member names its owner's formatter writes.</param>
/// <param name="Incarnation">The owner's run that made this version.</param>
/// <param name="Seq">The version within that run: one more for every change the owner sent.</param>
public readonly record struct RawSlice(ReadOnlyMemory<byte> Value, ulong Incarnation, ulong Seq);
