namespace Truffle.Mesh;

/// <summary>
/// Keeps one sender's delivery at most once and in order. It remembers the highest sequence number delivered, the
/// 64 before it as a bitmap (the anti-replay window of IPsec), and the route of the last accepted envelope (the
/// sender itself, or the primary that relayed it).
/// </summary>
/// <remarks>
/// On the route in use, an envelope overtaken by fewer than 64 others (two threads of one sender racing to their
/// queues) is still accepted and a duplicate is refused. An older envelope that arrives on another route is one a
/// route change left behind (sent through the old primary, overtaken by a later one sent directly or through the
/// new primary); delivering it would break the sender's order, so it is refused (at-most-once allows that).
/// </remarks>
internal struct ReplayWindow
{
    private const int Size = 64;

    private ulong _highest;
    private ulong _seen; // bit i: _highest - i was delivered
    private string? _route;

    /// <summary>
    /// Records <paramref name="sequence"/>, which arrived through <paramref name="route"/>; false when it was seen
    /// already, is too old to tell, or is older than the newest and came another way.
    /// </summary>
    public bool TryAccept(ulong sequence, string route)
    {
        if (sequence > _highest)
        {
            ulong shift = sequence - _highest;
            _seen = shift >= Size ? 1UL : (_seen << (int)shift) | 1UL;
            _highest = sequence;
            _route = route;
            return true;
        }

        ulong age = _highest - sequence;
        if (age >= Size || !string.Equals(route, _route, StringComparison.Ordinal))
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
