using System.Collections.Immutable;
using System.ComponentModel;
using MessagePack;

namespace Truffle;

/// <summary>
/// Implemented by the source generator on every <see cref="SyncedSliceAttribute"/> type; do not implement it by hand.
/// Use <see cref="Truffle.Sync.SliceDelta"/> to diff and apply.
/// </summary>
/// <typeparam name="TSelf">The slice type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ISyncedSlice<TSelf> : ITruffleSerializable<TSelf>
    where TSelf : ISyncedSlice<TSelf>
{
    /// <summary>The store id on the wire.</summary>
    static abstract string StoreId { get; }

    /// <summary>The member names in declaration order; a member's index is its bit in a <see cref="Sync.MemberMask"/>.</summary>
    static abstract ImmutableArray<string> MemberNames { get; }

    /// <summary>The members whose values differ, compared member by member (sequence equality for collections).</summary>
    static abstract Sync.MemberMask Diff(TSelf previous, TSelf current);

    /// <summary>Writes a MessagePack map holding only <paramref name="members"/> of <paramref name="value"/>.</summary>
    static abstract void WriteMembers(ref MessagePackWriter writer, TSelf value, Sync.MemberMask members, MessagePackSerializerOptions options);

    /// <summary>
    /// Reads a map of members (a delta or a whole slice) over <paramref name="previous"/>: members present take the
    /// new value, absent ones keep theirs, unknown keys are skipped. <paramref name="applied"/> says which were present.
    /// </summary>
    static abstract TSelf Apply(TSelf previous, ref MessagePackReader reader, MessagePackSerializerOptions options, out Sync.MemberMask applied);
}
