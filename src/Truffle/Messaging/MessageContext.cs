namespace Truffle;

/// <summary>Who sent a message and how; typed handlers receive it next to the message.</summary>
/// <param name="From">The device id of the original sender (never a relay).</param>
/// <param name="Namespace">The namespace on the wire.</param>
/// <param name="Type">The message type on the wire.</param>
/// <param name="IsBroadcast">True when the message was sent to every device rather than to this one.</param>
public readonly record struct MessageContext(string From, string Namespace, string Type, bool IsBroadcast);
