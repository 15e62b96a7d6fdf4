namespace Truffle.Wire;

/// <summary>What an envelope is for, which decides who may send it and what a receiver does with it.</summary>
internal enum EnvelopeKind : byte
{
    /// <summary>An application message for the receiver (sent directly, or relayed by the primary).</summary>
    App = 0,

    /// <summary>A mesh control message (election, goodbye) in the reserved <c>mesh</c> namespace.</summary>
    Control = 1,

    /// <summary>An application message the sender asks the primary to relay (STAR routing).</summary>
    Route = 2,
}

/// <summary>The request/reply role of an application envelope.</summary>
[Flags]
internal enum EnvelopeFlags : byte
{
    None = 0,

    /// <summary>A request: the receiver answers with a reply carrying the same correlation id.</summary>
    Request = 1,

    /// <summary>A reply to the request with the same correlation id.</summary>
    Reply = 2,

    /// <summary>With <see cref="Reply"/>: the target has no handler for the request's type.</summary>
    NoResponder = 4,

    /// <summary>With <see cref="Reply"/>: the handler threw; the payload is [exception type, message].</summary>
    RemoteError = 8,

    /// <summary>With <see cref="Reply"/>: the relaying primary has no connection to the target.</summary>
    Unreachable = 16,
}

/// <summary>
/// One message between two nodes (SPEC §4). The payload is opaque MessagePack, so a relaying primary forwards it
/// without decoding it. On the wire an envelope is a MessagePack array of these fields in this order; readers skip
/// any trailing fields a newer version adds.
/// </summary>
/// <param name="Kind">What the envelope is for.</param>
/// <param name="Namespace">The message namespace (at most 128 UTF-8 bytes).</param>
/// <param name="Type">The message type within the namespace (at most 128 UTF-8 bytes).</param>
/// <param name="From">The device id of the original sender; a relay keeps it.</param>
/// <param name="To">The target device id; empty for a broadcast.</param>
/// <param name="Sequence">The sender's per-connection-independent sequence number, increasing by one per message.</param>
/// <param name="Term">The election term the sender believed current when it sent (or relayed) the envelope.</param>
/// <param name="CorrelationId">Pairs a request with its reply; 0 for neither.</param>
/// <param name="Flags">The request/reply role.</param>
/// <param name="Payload">The MessagePack payload, as opaque bytes.</param>
/// <param name="TimeoutMs">
/// A request's timeout in milliseconds from when it was sent (the requester stops waiting then, so the responder
/// cancels its handler then); 0 for none. Relative, because the devices' clocks are not synchronized.
/// </param>
/// <param name="Trace">The W3C trace context of the span that sent it; default (not written) when nobody traces.</param>
internal readonly record struct Envelope(
    EnvelopeKind Kind,
    string Namespace,
    string Type,
    string From,
    string To,
    ulong Sequence,
    ulong Term,
    ulong CorrelationId,
    EnvelopeFlags Flags,
    ReadOnlyMemory<byte> Payload,
    uint TimeoutMs = 0,
    TraceContext Trace = default)
{
    /// <summary>True when the envelope is for every device rather than one.</summary>
    public bool IsBroadcast => To.Length == 0;
}
