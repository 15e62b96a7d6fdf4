using Truffle.Mesh;
using Xunit;

namespace Truffle.Tests.Simulation;

/// <summary>
/// A lying member in the deterministic simulator (issue 10): over many seeds, with honest traffic, a lossy network
/// and a <see cref="Rogue"/> attacking at random, no device delivers a message as from a device that did not send
/// it, no term holds two primaries, no term approaches the overflow, the liar (ranked last) never becomes primary,
/// and once the liar stops the mesh settles on one primary that every honest device follows.
/// </summary>
public sealed class RogueTests
{
    private const int SeedsPerBatch = 15;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_lying_member_cannot_speak_for_another_seize_the_role_or_stall_the_mesh(int batch)
    {
        for (int seed = 500 + (batch * SeedsPerBatch); seed < 500 + ((batch + 1) * SeedsPerBatch); seed++)
        {
            Check(seed);
        }
    }

    private static void Check(int seed)
    {
        var network = new SimulatedNetwork(seed);
        Random random = network.Random;
        network.Conditions = NetworkConditions.Random(random) with { Loss = random.NextDouble() * 0.05 };
        int count = random.Next(4, 6);
        for (int i = 0; i < count; i++)
        {
            // The liar ranks last: what a dishonest *primary* can still do is the documented limit (security.md).
            SimNode node = network.Add(new ElectionMember($"n{i}", PreferPrimary: false, Priority: i == count - 1 ? -1 : random.Next(3)));
            node.OnStart = Chaos.OpenStores;
        }

        network.StartAndSettle();
        SimNode liar = network.Nodes[^1];
        Traffic traffic = Traffic.Start(network, TimeSpan.FromMilliseconds(50));
        Rogue rogue = Rogue.Start(network, liar);
        network.Run(TimeSpan.FromSeconds(20));
        rogue.Stop();
        traffic.Stop();

        List<string> violations = [.. network.History.Violations];
        if (!Chaos.Settle(network))
        {
            violations.Add($"the mesh did not settle once the liar stopped: {network.Describe()}");
        }

        violations.AddRange(Deliveries.Violations(network));
        ulong highest = network.Nodes.Max(n => n.Reported.Term);
        if (highest > 100 * Election.MaxTermStep)
        {
            violations.Add($"term {highest} after 20 s of lies");
        }

        if (network.History.Claims.Any(c => c.Primary == liar.Id))
        {
            violations.Add($"the liar {liar.Id}, ranked last, became primary");
        }

        Assert.True(violations.Count == 0, $"seed {seed} (liar {liar.Id}, {rogue.Attacks} attacks): {string.Join("; ", violations.Take(10))}\n{network.History.Tail()}");
        Assert.True(rogue.Attacks > 50, $"seed {seed}: the liar hardly attacked");
    }
}
