namespace Truffle;

/// <summary>How a device takes part in the mesh.</summary>
public enum DeviceKind
{
    /// <summary>A member: a candidate in elections, counted toward every quorum and lease.</summary>
    Member = 0,

    /// <summary>
    /// An observer (<see cref="TruffleOptions.Observer"/>): it sees, sends, requests and reads slices like any device,
    /// but is never a candidate and never counts toward a quorum or a lease, so its arrival, departure or crash never
    /// changes the primary or the term.
    /// </summary>
    Observer = 1,
}
