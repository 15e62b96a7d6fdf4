using System.Numerics;

namespace Truffle.Sync;

/// <summary>A set of slice members by declaration index (0–63): the members a diff found changed.</summary>
public readonly record struct MemberMask
{
    /// <summary>The largest number of members a slice may have.</summary>
    public const int Capacity = 64;

    /// <summary>Creates a mask from its raw bits (bit <c>i</c> = member <c>i</c>).</summary>
    public MemberMask(ulong bits) => Bits = bits;

    /// <summary>No member.</summary>
    public static MemberMask Empty => default;

    /// <summary>The raw bits.</summary>
    public ulong Bits { get; }

    /// <summary>True when no member is set.</summary>
    public bool IsEmpty => Bits == 0;

    /// <summary>The number of members set.</summary>
    public int Count => BitOperations.PopCount(Bits);

    /// <summary>The first <paramref name="count"/> members.</summary>
    public static MemberMask All(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity);
        return new(count == Capacity ? ulong.MaxValue : (1UL << count) - 1);
    }

    /// <summary>True when member <paramref name="index"/> is set.</summary>
    public bool Contains(int index) => (uint)index < Capacity && (Bits & (1UL << index)) != 0;

    /// <summary>This mask plus member <paramref name="index"/>.</summary>
    public MemberMask With(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Capacity);
        return new(Bits | (1UL << index));
    }

    /// <summary>The members set in either mask.</summary>
    public MemberMask Union(MemberMask other) => new(Bits | other.Bits);

    /// <summary>The indices set, ascending.</summary>
    public IEnumerable<int> Indices()
    {
        ulong bits = Bits;
        while (bits != 0)
        {
            yield return BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
        }
    }
}
