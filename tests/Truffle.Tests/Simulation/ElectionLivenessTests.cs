using Truffle.Mesh;
using Xunit;

namespace Truffle.Tests.Simulation;

/// <summary>How fast a primary appears (SPEC §9: ≤ 1 s for 3 nodes from start, ≤ lease + 1 s after a failure).</summary>
public sealed class ElectionLivenessTests
{
    private const int Seeds = 200;
    private static readonly ElectionTimings s_timings = new();

    [Fact]
    public void Three_nodes_started_together_elect_the_best_ranked_within_a_second()
    {
        for (int seed = 0; seed < Seeds; seed++)
        {
            SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed);
            network.StartAll();

            bool elected = network.RunUntil(() => network.FullyConnected() && network.AgreedPrimary() is not null, TimeSpan.FromSeconds(1));

            Assert.True(elected, $"seed {seed}: {network.Describe()}");
            Assert.Equal("n0", network.AgreedPrimary()!.Id);
            Assert.Equal(1UL, network.AgreedPrimary()!.Reported.Term);
        }
    }

    [Fact]
    public void Killed_primary_is_replaced_within_lease_plus_one_second()
    {
        for (int seed = 0; seed < Seeds; seed++)
        {
            SimulatedNetwork network = SimulatedNetwork.WithNodes(3 + (seed % 3), seed);
            network.StartAndSettle();

            // Kill at a random point of the heartbeat cycle, after the mesh settled.
            network.Run(TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(network.Random.Next(1000)));
            SimNode old = network.AgreedPrimary()!;
            ulong oldTerm = old.Reported.Term;
            old.Kill();
            DateTimeOffset killedAt = network.Now;

            bool replaced = network.RunUntil(() => network.AgreedPrimary() is not null, s_timings.Lease + TimeSpan.FromSeconds(1));

            Assert.True(replaced, $"seed {seed}: no primary {network.Now - killedAt} after the kill at {killedAt:HH:mm:ss.fff}: {network.Describe()}\n{network.History.Tail()}");
            Assert.True(network.AgreedPrimary()!.Reported.Term > oldTerm);
        }
    }

    [Fact]
    public void Lone_node_becomes_primary_at_once()
    {
        SimulatedNetwork network = SimulatedNetwork.WithNodes(1, seed: 1);
        SimNode node = network.Nodes[0];

        node.Start();

        Assert.Equal(new ElectionState(MeshRole.Primary, "n0", 1), node.Reported);
    }

    [Fact]
    public void Lone_node_that_expected_peers_becomes_primary_after_the_join_window()
    {
        // n1 is listed by the network but out of reach, so n0 expects a peer that never answers.
        SimulatedNetwork network = SimulatedNetwork.WithNodes(2, seed: 2);
        network.History.AllowSameTermPrimaries = true;
        SimNode node = network["n0"], unreachable = network["n1"];
        unreachable.Start();
        network.Partition([node]);
        node.Start();

        network.Run(s_timings.JoinWindow - TimeSpan.FromMilliseconds(1));
        Assert.Equal(MeshRole.None, node.Reported.Role);

        network.Run(s_timings.MaxJitter + TimeSpan.FromMilliseconds(2));
        Assert.Equal(MeshRole.Primary, node.Reported.Role);
    }

    [Fact]
    public void Newcomer_learns_the_primary_at_once_instead_of_running()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed);
            SimNode late = network["n0"];
            network["n1"].Start();
            network["n2"].Start();
            Assert.True(network.RunUntil(() => network.FullyConnected() && network.AgreedPrimary() is not null, TimeSpan.FromSeconds(2)));
            ulong term = network.AgreedPrimary()!.Reported.Term;

            late.Start();
            bool learned = network.RunUntil(() => network.AgreedPrimary() is not null, TimeSpan.FromMilliseconds(50));

            Assert.True(learned, $"seed {seed}: {network.Describe()}");
            Assert.Equal("n1", network.AgreedPrimary()!.Id);
            Assert.Equal(term, late.Reported.Term);
        }
    }

    [Fact]
    public void Stopping_primary_is_replaced_without_waiting_for_its_lease()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            SimulatedNetwork network = SimulatedNetwork.WithNodes(4, seed);
            network.StartAndSettle();
            SimNode old = network.AgreedPrimary()!;

            old.Stop();

            Assert.Equal(MeshRole.None, old.Reported.Role);
            bool replaced = network.RunUntil(() => network.AgreedPrimary() is not null, TimeSpan.FromSeconds(1.5));
            Assert.True(replaced, $"seed {seed}: {network.Describe()}");
            Assert.Equal("n1", network.AgreedPrimary()!.Id);
        }
    }
}
