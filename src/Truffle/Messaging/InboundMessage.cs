using System.Diagnostics;

namespace Truffle;

/// <summary>A message as the untyped bus delivers it.</summary>
/// <param name="From">The device id of the original sender (never a relay).</param>
/// <param name="Namespace">The namespace on the wire.</param>
/// <param name="Type">The message type on the wire.</param>
/// <param name="Payload">The MessagePack payload; valid until the handler's task completes.</param>
/// <param name="IsBroadcast">True when the message was sent to every device rather than to this one.</param>
public readonly record struct InboundMessage(string From, string Namespace, string Type, ReadOnlyMemory<byte> Payload, bool IsBroadcast)
{
    /// <summary>The context typed handlers receive with the message.</summary>
    public MessageContext Context => new(From, Namespace, Type, IsBroadcast);

    /// <summary>The span that delivered the message: the parent of its handler's span; default when nobody traces.</summary>
    internal ActivityContext Trace { get; init; }
}
