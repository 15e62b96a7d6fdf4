namespace Truffle.Tests.Simulation;

/// <summary>How badly the simulated network behaves.</summary>
internal sealed record NetworkConditions
{
    /// <summary>A fast, reliable LAN.</summary>
    public static readonly NetworkConditions Healthy = new();

    public TimeSpan MinDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Chance that a message is lost.</summary>
    public double Loss { get; init; }

    /// <summary>Chance that a message arrives twice.</summary>
    public double Duplication { get; init; }

    /// <summary>Chance that a message is held up by <see cref="SpikeDelay"/> (arriving out of order).</summary>
    public double Spike { get; init; }

    public TimeSpan SpikeDelay { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>The longest time before a dropped link is noticed (MemberLost) or a healed one reconnects.</summary>
    public TimeSpan MaxDetection { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Random conditions for a chaos run.</summary>
    public static NetworkConditions Random(Random random) => new()
    {
        MinDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(random.Next(2, 60)),
        Loss = random.NextDouble() * 0.2,
        Duplication = random.NextDouble() * 0.1,
        Spike = random.NextDouble() * 0.03,
        SpikeDelay = TimeSpan.FromMilliseconds(random.Next(100, 2000)),
        MaxDetection = TimeSpan.FromMilliseconds(random.Next(10, 2500)),
    };
}
