using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace Truffle.Tests.Simulation;

/// <summary>
/// The production mesh, bus and sync under seeded chaos (partitions, loss, duplication, delays, pauses, sidecar
/// deaths, and kills, stops and restarts), with traffic and slice edits all along; every invariant of
/// <see cref="Invariants"/> checked after every schedule. A failing seed prints the command that replays it, with
/// every device's log.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int SchedulesPerBatch = 125;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Invariants_hold_under_chaos_without_restarts(int batch)
    {
        for (int seed = batch * SchedulesPerBatch; seed < (batch + 1) * SchedulesPerBatch; seed++)
        {
            Check(seed, restarts: false);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Invariants_hold_under_chaos_with_kills_stops_and_restarts(int batch)
    {
        for (int seed = 100_000 + (batch * SchedulesPerBatch); seed < 100_000 + ((batch + 1) * SchedulesPerBatch); seed++)
        {
            Check(seed, restarts: true);
        }
    }

    /// <summary>
    /// Replays the seed in <c>TRUFFLE_SIM_SEED</c> (restarts when it is 100000 or more, as the batches above number
    /// them) with every device's log in the test output (and in the file <c>TRUFFLE_SIM_LOG</c> names, if set); without
    /// it, replays seed 1 to show the same run twice gives the same history.
    /// </summary>
    [Fact]
    public void Replay()
    {
        string? given = Environment.GetEnvironmentVariable("TRUFFLE_SIM_SEED");
        int seed = given is null ? 1 : int.Parse(given, CultureInfo.InvariantCulture);
        List<string> log = [];
        SimulatedNetwork network = Run(seed, line => log.Add(line));
        List<string> first = [.. log];
        List<string> violations = Invariants.CheckAfterChaos(network, onePrimaryPerTerm: seed < 100_000);
        if (violations.Count > 0)
        {
            foreach (string line in log)
            {
                output.WriteLine(line);
            }

            if (Environment.GetEnvironmentVariable("TRUFFLE_SIM_LOG") is { Length: > 0 } path)
            {
                File.WriteAllLines(path, log);
            }
        }

        Assert.True(violations.Count == 0, Invariants.Describe(network, violations, nameof(ChaosTests) + "." + nameof(Replay)));
        List<string> second = [];
        Run(seed, line => second.Add(line));
        Assert.Equal(first, second);
    }

    private static SimulatedNetwork Run(int seed, Action<string>? trace = null) =>
        Chaos.Run(seed, Duration, restarts: seed >= 100_000, started: n => Traffic.Start(n, TimeSpan.FromMilliseconds(50)), trace: trace);

    private static void Check(int seed, bool restarts)
    {
        SimulatedNetwork network = Run(seed);
        List<string> violations = Invariants.CheckAfterChaos(network, onePrimaryPerTerm: !restarts);
        Assert.True(violations.Count == 0, Invariants.Describe(network, violations, nameof(ChaosTests) + "." + nameof(Replay)));
        Assert.True(network.History.Claims.Count > 0, $"seed {seed}: nobody was ever primary");
        Assert.True(network.Nodes.Sum(n => n.Received.Count) > 0, $"seed {seed}: no message was delivered");
    }
}
