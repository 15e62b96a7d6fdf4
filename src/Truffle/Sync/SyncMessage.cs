using System.Collections.Immutable;

namespace Truffle.Sync;

/// <summary>The kinds of sync message; the first element of every encoded message.</summary>
internal enum SyncMessageKind : byte
{
    /// <summary>A <see cref="DeltaMessage"/>.</summary>
    Delta = 1,

    /// <summary>A <see cref="SnapshotMessage"/>.</summary>
    Snapshot = 2,

    /// <summary>A <see cref="DigestMessage"/>.</summary>
    Digest = 3,

    /// <summary>A <see cref="RequestMessage"/>.</summary>
    Request = 4,

    /// <summary>A <see cref="GoodbyeMessage"/>.</summary>
    Goodbye = 5,
}

/// <summary>One sync message; encoded and decoded by <see cref="SyncMessageCodec"/>.</summary>
/// <remarks>Decoded messages hold slices of the received buffer: use them during the receive call only.</remarks>
internal abstract record SyncMessage;

/// <summary>
/// The owner changed members <see cref="Mask"/> of its slice, taking it from <see cref="BaseSeq"/> to
/// <see cref="Seq"/> within <see cref="Incarnation"/>. <see cref="Values"/> is the map of just those members.
/// </summary>
internal sealed record DeltaMessage(
    string Store, string Owner, ulong Incarnation, ulong BaseSeq, ulong Seq, MemberMask Mask, ReadOnlyMemory<byte> Values)
    : SyncMessage;

/// <summary>
/// The owner's whole slice at (<see cref="Incarnation"/>, <see cref="Seq"/>): a map of every member, or empty when
/// the owner retired its slice.
/// </summary>
internal sealed record SnapshotMessage(string Store, string Owner, ulong Incarnation, ulong Seq, ReadOnlyMemory<byte> Values)
    : SyncMessage
{
    /// <summary>True when the owner retired its slice (set its local value to null).</summary>
    public bool IsRetired => Values.IsEmpty;
}

/// <summary>A version of one slice that a device holds.</summary>
internal readonly record struct DigestEntry(string Store, string Owner, ulong Incarnation, ulong Seq);

/// <summary>Every slice version the sender holds: its own slices and its replicas.</summary>
internal sealed record DigestMessage(ImmutableArray<DigestEntry> Entries) : SyncMessage;

/// <summary>Asks <see cref="Owner"/> for a snapshot of its slice of <see cref="Store"/>.</summary>
internal sealed record RequestMessage(string Store, string Owner) : SyncMessage;

/// <summary>The owner is leaving gracefully: its slices of that incarnation are gone.</summary>
internal sealed record GoodbyeMessage(string Owner, ulong Incarnation) : SyncMessage;
