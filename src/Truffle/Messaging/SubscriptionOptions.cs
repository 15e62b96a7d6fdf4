namespace Truffle;

/// <summary>How a subscription queues messages its handler has not taken yet.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The defaults: 1,024 messages, drop the oldest when full.</summary>
    public static SubscriptionOptions Default { get; } = new();

    /// <summary>How many messages may wait for the handler. Must be at least 1.</summary>
    public int Capacity { get; init; } = 1024;

    /// <summary>What happens when a message arrives and the queue is full.</summary>
    public OverflowPolicy Overflow { get; init; } = OverflowPolicy.DropOldest;
}

/// <summary>
/// What a full subscription queue does with a new message: drop one (every drop is counted in the Truffle meter) or,
/// with <see cref="Wait"/>, pause the sender.
/// </summary>
public enum OverflowPolicy
{
    /// <summary>Drop the oldest queued message to make room (the default: handlers see the latest state).</summary>
    DropOldest,

    /// <summary>Drop the new message and keep the queue as it is.</summary>
    DropNewest,

    /// <summary>
    /// Lose nothing: a full queue stops reading from the connection that delivered the message until the handler has
    /// worked the queue down to half its capacity (backpressure, as NATS.Net's <c>SubPendingChannelFullMode.Wait</c>),
    /// so the sender's <see cref="IMessageBus.SendAsync"/> waits instead of its messages being dropped. For a
    /// send to this device itself, <c>SendAsync</c> waits for the room.
    /// </summary>
    /// <remarks>
    /// What it costs: while the queue is full, nothing else arrives on that connection either: other subscriptions'
    /// messages, replies, sync and, when the connection is to the primary, everything relayed from every other device
    /// all wait behind the slow handler. The queue may exceed its capacity by the messages already read when it
    /// filled. And it is lossless only while the handler keeps up within the transport's slow-consumer limit: a
    /// sender whose queue to this device stays over its bound for <c>TransportOptions.SlowConsumerTimeout</c> cuts the
    /// connection (docs/transport.md), and what it had queued is lost.
    /// </remarks>
    Wait,
}
