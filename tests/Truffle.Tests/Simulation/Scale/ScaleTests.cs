using Xunit;
using Xunit.Abstractions;

namespace Truffle.Tests.Simulation.Scale;

/// <summary>
/// The mesh at growing sizes in the deterministic simulation (docs/scale.md). The 10-device run is part of every test
/// run and checks that each phase completes and costs what its protocol says; the larger runs are measurements,
/// run by hand (they take minutes) and left out of the default run by their trait:
/// <code>dotnet test tests/Truffle.Tests -c Release --filter "Category=Scale" --logger "console;verbosity=detailed"</code>
/// </summary>
public sealed class ScaleTests(ITestOutputHelper output)
{
    /// <summary>The trait that keeps the long runs out of scripts/test.sh.</summary>
    public const string Category = "Scale";

    [Fact]
    public void Ten_devices_form_sync_broadcast_and_fail_over_with_each_phase_bounded()
    {
        var run = new ScaleRun(10, seed: 3, TimeSpan.FromSeconds(30));

        ScalePhase formation = run.Formation();
        ScalePhase change = run.OneChange();
        ScalePhase everyone = run.EveryonePublishes();
        ScalePhase idle = run.IdleDigestInterval();
        ScalePhase broadcast = run.Broadcast();
        ScalePhase frozen = run.FrozenPrimary();
        ScalePhase failover = run.Failover();
        Report(run);

        Assert.All(run.Phases, p => Assert.True(p.Finished, $"{p.Name} did not finish: {run.Network.Describe()}"));
        Assert.True(formation.Simulated < TimeSpan.FromSeconds(2), $"formation took {formation.Simulated}");

        // A star: the change goes to the primary once and out to the 8 others; nothing else of sync moves.
        Assert.Equal(9, change.Carried.ByWhat.Where(w => w.Key.Contains("sync/", StringComparison.Ordinal)).Sum(w => w.Value.Envelopes));
        Assert.Equal(10 * 9, everyone.Carried.ByWhat.Where(w => w.Key.Contains("sync/", StringComparison.Ordinal)).Sum(w => w.Value.Envelopes));

        // Every device's digest reaches the 9 others once, and lists only its own slice (not the 9 replicas it holds).
        Assert.Equal(10 * 9, idle.Carried.ByWhat.Where(w => w.Key.Contains("sync/Digest", StringComparison.Ordinal)).Sum(w => w.Value.Envelopes));
        Assert.Equal(10 * 9, idle.Carried.DigestEntries);
        Assert.Equal(9, broadcast.Carried.ByWhat.Where(w => w.Key.EndsWith(':' + Traffic.Namespace, StringComparison.Ordinal)).Sum(w => w.Value.Envelopes));
        Assert.True(frozen.Simulated <= run.Network.Timings.Lease + TimeSpan.FromSeconds(1), $"failover after a freeze took {frozen.Simulated}");
        Assert.True(failover.Simulated <= run.Network.Timings.Lease + TimeSpan.FromSeconds(1), $"failover took {failover.Simulated}");
        Assert.Empty(run.Network.ThreadViolations);
    }

    [Theory]
    [Trait("Category", Category)]
    [InlineData(100)]
    [InlineData(300)]
    [InlineData(1000)]
    public void Measure(int size)
    {
        var run = new ScaleRun(size, seed: 1, TimeSpan.FromSeconds(120));
        foreach (Func<ScalePhase> phase in new Func<ScalePhase>[] { run.Formation, run.OneChange, run.EveryonePublishes, run.IdleDigestInterval, run.Broadcast, run.FrozenPrimary, run.Failover })
        {
            ScalePhase done = phase();
            Report(done);
            if (!done.Finished)
            {
                break;
            }
        }

        Assert.All(run.Phases, p => Assert.True(p.Finished, $"{size} devices: {p.Name} did not finish within the limit"));
    }

    private void Report(ScaleRun run) => run.Phases.ForEach(Report);

    private void Report(ScalePhase phase)
    {
        string line = phase.Row() + "\n    " + phase.Breakdown();
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("TRUFFLE_SCALE_OUT") is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + "\n");
        }
    }
}
