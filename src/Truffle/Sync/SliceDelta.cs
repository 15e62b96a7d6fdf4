using System.Buffers;
using System.Collections.Immutable;
using MessagePack;
using Truffle.Wire;

namespace Truffle.Sync;

/// <summary>
/// A change to a slice: which members changed and their new values, encoded as a MessagePack map of just those
/// members (the same encoding as the whole slice, so a snapshot is a delta of every member).
/// </summary>
public sealed class SliceDelta
{
    private SliceDelta(MemberMask changed, ReadOnlyMemory<byte> values)
    {
        Changed = changed;
        Values = values;
    }

    /// <summary>The members that changed.</summary>
    public MemberMask Changed { get; }

    /// <summary>The changed members as a MessagePack map keyed by camelCase member name.</summary>
    public ReadOnlyMemory<byte> Values { get; }

    /// <summary>True when nothing changed.</summary>
    public bool IsEmpty => Changed.IsEmpty;

    /// <summary>The members <paramref name="current"/> changed relative to <paramref name="previous"/>.</summary>
    /// <param name="previous">The slice before the change, or null when there was none (every member is sent).</param>
    /// <param name="current">The slice after the change.</param>
    public static SliceDelta Create<T>(T? previous, T current)
        where T : ISyncedSlice<T>
    {
        ArgumentNullException.ThrowIfNull(current);
        MemberMask changed = previous is null ? MemberMask.All(T.MemberNames.Length) : T.Diff(previous, current);
        var buffer = new ArrayBufferWriter<byte>(changed.IsEmpty ? 1 : 64);
        var writer = new MessagePackWriter(buffer);
        T.WriteMembers(ref writer, current, changed, TruffleSerializer.Options);
        writer.Flush();
        return new SliceDelta(changed, buffer.WrittenMemory);
    }

    /// <summary>Reads a delta received from the wire; <see cref="Changed"/> is filled in by <c>Apply</c>.</summary>
    public static SliceDelta FromValues(ReadOnlyMemory<byte> values, MemberMask changed = default) => new(changed, values);

    /// <summary>Applies this delta to <paramref name="previous"/> and returns the new slice.</summary>
    /// <exception cref="TruffleSerializationException">The values are not a valid map of members.</exception>
    public T Apply<T>(T previous)
        where T : ISyncedSlice<T> => Apply(previous, out _);

    /// <summary>Applies this delta and reports which members it carried.</summary>
    /// <exception cref="TruffleSerializationException">The values are not a valid map of members.</exception>
    public T Apply<T>(T previous, out MemberMask applied)
        where T : ISyncedSlice<T>
    {
        ArgumentNullException.ThrowIfNull(previous);
        var reader = new MessagePackReader(Values);
        try
        {
            return T.Apply(previous, ref reader, TruffleSerializer.Options, out applied);
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            throw new TruffleSerializationException($"Cannot apply a delta to {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>The names of the changed members, in declaration order.</summary>
    public ImmutableArray<string> ChangedMemberNames<T>()
        where T : ISyncedSlice<T>
    {
        ImmutableArray<string> names = T.MemberNames;
        return [.. Changed.Indices().Where(i => i < names.Length).Select(i => names[i])];
    }
}
