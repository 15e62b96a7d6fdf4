namespace Truffle.Mesh;

/// <summary>
/// Remembers which sequence numbers of one sender were delivered: the highest, and the 64 before it as a bitmap
/// (the anti-replay window of IPsec). A duplicate (the same envelope arriving directly and through a relay during a
/// failover) is refused; an envelope overtaken by fewer than 64 others (two threads of one sender racing) is still
/// accepted; an older one is refused.
/// </summary>
internal struct ReplayWindow
{
    private const int Size = 64;

    private ulong _highest;
    private ulong _seen; // bit i: _highest - i was delivered

    /// <summary>Records <paramref name="sequence"/>; false when it was seen already or is too old to tell.</summary>
    public bool TryAccept(ulong sequence)
    {
        if (sequence > _highest)
        {
            ulong shift = sequence - _highest;
            _seen = shift >= Size ? 1UL : (_seen << (int)shift) | 1UL;
            _highest = sequence;
            return true;
        }

        ulong age = _highest - sequence;
        if (age >= Size)
        {
            return false;
        }

        ulong bit = 1UL << (int)age;
        if ((_seen & bit) != 0)
        {
            return false;
        }

        _seen |= bit;
        return true;
    }
}
