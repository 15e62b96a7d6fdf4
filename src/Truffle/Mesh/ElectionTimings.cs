namespace Truffle;

/// <summary>The election's clocks (SPEC §5). Defaults are the spec's; tests and impatient apps shorten them.</summary>
public sealed record ElectionTimings
{
    /// <summary>How often the primary sends its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a heartbeat keeps the primary valid; with no heartbeat for this long an election starts.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The extra wait per rank position before a node runs for primary.</summary>
    public TimeSpan RankStep { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The largest random extra wait before a node runs for primary.</summary>
    public TimeSpan MaxJitter { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a starting node that has peers waits for a heartbeat before it may run for primary.</summary>
    public TimeSpan JoinWindow { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a candidate waits for pre-vote answers.</summary>
    public TimeSpan PreVoteTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
}
