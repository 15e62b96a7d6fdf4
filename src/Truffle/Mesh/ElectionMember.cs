namespace Truffle.Mesh;

/// <summary>
/// A device as the election ranks it: (preferPrimary desc, priority desc, deviceId asc). Never uptime or a clock
/// value from another device, and never a tie, because device ids are unique.
/// </summary>
internal readonly record struct ElectionMember(string DeviceId, bool PreferPrimary, int Priority) : IComparable<ElectionMember>
{
    /// <summary>Negative when this member ranks better (is a better primary) than <paramref name="other"/>.</summary>
    public int CompareTo(ElectionMember other)
    {
        if (PreferPrimary != other.PreferPrimary)
        {
            return PreferPrimary ? -1 : 1;
        }

        if (Priority != other.Priority)
        {
            return other.Priority.CompareTo(Priority);
        }

        return string.CompareOrdinal(DeviceId, other.DeviceId);
    }
}
