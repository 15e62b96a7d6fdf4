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

/// <summary>What a full subscription queue does with a new message. Every drop is counted in the Truffle meter.</summary>
public enum OverflowPolicy
{
    /// <summary>Drop the oldest queued message to make room (the default: handlers see the latest state).</summary>
    DropOldest,

    /// <summary>Drop the new message and keep the queue as it is.</summary>
    DropNewest,
}
