namespace Truffle.Wire;

/// <summary>
/// Remembers the last string decoded in each of a few slots, so a connection that carries the same namespace, type
/// and sender over and over decodes (and allocates) each of them once instead of once per envelope. Not thread-safe:
/// one per read loop.
/// </summary>
internal sealed class Utf8StringCache
{
    private readonly Slot[] _slots;

    /// <summary>Creates a cache with <paramref name="slots"/> independent slots.</summary>
    public Utf8StringCache(int slots) => _slots = new Slot[slots];

    /// <summary>The string for <paramref name="utf8"/>, from slot <paramref name="slot"/> when it holds the same bytes.</summary>
    public string Get(int slot, ReadOnlySpan<byte> utf8)
    {
        ref Slot cached = ref _slots[slot];
        if (cached.Value is not null && utf8.SequenceEqual(cached.Bytes.AsSpan(0, cached.Length)))
        {
            return cached.Value;
        }

        string value = System.Text.Encoding.UTF8.GetString(utf8);
        if (cached.Bytes is null || cached.Bytes.Length < utf8.Length)
        {
            cached.Bytes = new byte[Math.Max(utf8.Length, 32)];
        }

        utf8.CopyTo(cached.Bytes);
        cached.Length = utf8.Length;
        cached.Value = value;
        return value;
    }

    private struct Slot
    {
        public byte[] Bytes;
        public int Length;
        public string? Value;
    }
}
