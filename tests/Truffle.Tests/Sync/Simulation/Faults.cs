namespace Truffle.Tests.Sync.Simulation;

/// <summary>What the simulated network does to each message.</summary>
/// <param name="Loss">The chance a message is lost.</param>
/// <param name="Duplicate">The chance a message is delivered twice.</param>
/// <param name="MaxDelay">Each delivery takes between 1 ms and this (so messages overtake each other).</param>
/// <param name="Relay">The chance a message goes through a third device's queue first (late, reordered).</param>
internal sealed record Faults(double Loss, double Duplicate, TimeSpan MaxDelay, double Relay)
{
    /// <summary>A perfect network: every message arrives once, in order, after 1 ms.</summary>
    public static Faults None { get; } = new(0, 0, TimeSpan.FromMilliseconds(1), 0);

    /// <summary>Random faults of random strength.</summary>
    public static Faults Random(Random random) => new(
        Loss: random.NextDouble() * 0.3,
        Duplicate: random.NextDouble() * 0.2,
        MaxDelay: TimeSpan.FromMilliseconds(1 + random.Next(80)),
        Relay: random.NextDouble() * 0.4);
}
