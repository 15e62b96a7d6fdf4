using System.Collections.Immutable;
using System.ComponentModel;

namespace Truffle.Wire;

/// <summary>Deep equality used by generated <c>ValueEquals</c> and slice diffs: collections compare by their items.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ValueEquality
{
    /// <summary>Compares two byte arrays by content; null equals only null.</summary>
    public static bool Bytes(byte[]? left, byte[]? right) =>
        ReferenceEquals(left, right) || (left is not null && right is not null && left.AsSpan().SequenceEqual(right));

    /// <summary>Compares two lists item by item with <paramref name="items"/>; null equals only null.</summary>
    public static bool Lists<T>(IReadOnlyList<T>? left, IReadOnlyList<T>? right, Func<T, T, bool> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is null || right is null || left.Count != right.Count)
        {
            return false;
        }

        for (int i = 0; i < left.Count; i++)
        {
            if (!items(left[i], right[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Compares two immutable arrays item by item; a default array equals an empty one.</summary>
    public static bool ImmutableArrays<T>(ImmutableArray<T> left, ImmutableArray<T> right, Func<T, T, bool> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        ReadOnlySpan<T> l = left.IsDefault ? default : left.AsSpan();
        ReadOnlySpan<T> r = right.IsDefault ? default : right.AsSpan();
        if (l.Length != r.Length)
        {
            return false;
        }

        for (int i = 0; i < l.Length; i++)
        {
            if (!items(l[i], r[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Compares two string-keyed dictionaries by keys and values; null equals only null.</summary>
    public static bool Dictionaries<TValue>(
        IReadOnlyDictionary<string, TValue>? left,
        IReadOnlyDictionary<string, TValue>? right,
        Func<TValue, TValue, bool> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is null || right is null || left.Count != right.Count)
        {
            return false;
        }

        foreach (KeyValuePair<string, TValue> pair in left)
        {
            if (!right.TryGetValue(pair.Key, out TValue? other) || !values(pair.Value, other))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Deep equality of an annotated type, through its generated <c>ValueEquals</c>.</summary>
    public static bool Annotated<T>(T? left, T? right)
        where T : ITruffleSerializable<T> => T.ValueEquals(left, right);
}
