namespace Truffle.Wire;

/// <summary>How an envelope takes part in request/reply: its role, the id that pairs a reply with its request, and
/// how long the requester waits.</summary>
/// <param name="Flags">Request, reply, and how the reply ended.</param>
/// <param name="Id">Pairs a reply with its request; 0 for a plain message.</param>
/// <param name="TimeoutMs">A request's timeout in milliseconds from when it was sent; 0 for none.</param>
internal readonly record struct Correlation(EnvelopeFlags Flags, ulong Id, uint TimeoutMs = 0)
{
    /// <summary>A plain message: neither request nor reply.</summary>
    public static Correlation None => default;
}
