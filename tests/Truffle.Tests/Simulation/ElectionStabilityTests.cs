using Xunit;

namespace Truffle.Tests.Simulation;

/// <summary>No flapping, no preemption, fencing of stale primaries, and what partitions do (SPEC §5).</summary>
public sealed class ElectionStabilityTests
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(3);

    // Timers tick in whole milliseconds and a partition is noticed within a few: "within a lease" allows for both.
    private static readonly TimeSpan s_withinLease = s_lease + TimeSpan.FromMilliseconds(20);

    private static SimulatedNetwork Settled(int nodes, int seed, bool allowMinorityPrimary = false)
    {
        SimulatedNetwork network = SimulatedNetwork.WithNodes(nodes, seed, allowMinorityPrimary: allowMinorityPrimary);
        network.StartAndSettle();
        return network;
    }

    [Fact]
    public void Best_node_dropping_out_for_a_second_every_4s_for_60s_changes_leadership_at_most_once()
    {
        // Each outage is short enough for the reconnect backoff (100 ms, 200 ms, 400 ms, ...) to bring the connections
        // back within a lease; longer ones are the next test's.
        for (int seed = 0; seed < 50; seed++)
        {
            SimulatedNetwork network = Settled(3, seed);
            SimNode best = network["n0"];
            for (int i = 0; i < 15; i++)
            {
                network.Partition([best]);
                network.Run(TimeSpan.FromSeconds(1));
                network.Heal();
                network.Run(TimeSpan.FromSeconds(3));
            }

            network.Run(TimeSpan.FromSeconds(5));
            Assert.True(network.History.Claims.Count <= 2, $"seed {seed}: {string.Join(", ", network.History.Claims)}");
            Assert.NotNull(network.AgreedPrimary());
        }
    }

    [Fact]
    public void Better_node_rejoining_does_not_take_over_from_a_healthy_primary()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed);
            SimNode best = network["n0"];
            network["n1"].Start();
            network["n2"].Start();
            network.Run(TimeSpan.FromSeconds(2));
            Assert.Equal("n1", network.AgreedPrimary()?.Id);
            network.Partition([best]);
            best.Start();

            // It keeps coming and going (a laptop lid), for longer than a lease each time.
            for (int i = 0; i < 10; i++)
            {
                network.Heal();
                network.Run(TimeSpan.FromSeconds(6));
                Assert.Equal("n1", network.AgreedPrimary()?.Id);
                network.Partition([best]);
                network.Run(TimeSpan.FromSeconds(4));
            }

            Assert.Equal([(1UL, "n1")], network.History.Claims);
        }
    }

    [Fact]
    public void Paused_primary_is_fenced_and_steps_down_on_first_contact()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            // The quorum check is off, so only fencing (a reject carrying the newer term) can unseat it.
            SimulatedNetwork network = Settled(3, seed, allowMinorityPrimary: true);
            SimNode old = network.AgreedPrimary()!;
            ulong oldTerm = old.Reported.Term;
            old.Pause();

            network.Run(TimeSpan.FromSeconds(10));
            SimNode? successor = network.AgreedPrimary(network.Nodes.Where(n => n != old));
            Assert.NotNull(successor);
            Assert.True(successor.Reported.Term > oldTerm);

            int changesBefore = network.History.Changes.Count;
            old.Resume();
            Assert.True(network.RunUntil(() => !old.IsPrimary, TimeSpan.FromMilliseconds(20)),
                $"seed {seed}: the old primary still leads after its first contact: {network.Describe()}");
            Assert.DoesNotContain(network.History.Changes.Skip(changesBefore),
                c => c.Node != old.Id && c.State.PrimaryId == old.Id);
            Assert.True(network.RunUntil(() => network.AgreedPrimary() == successor, TimeSpan.FromSeconds(1)), network.Describe());
        }
    }

    [Fact]
    public void Paused_primary_of_three_steps_down_by_itself_when_it_wakes()
    {
        SimulatedNetwork network = Settled(3, seed: 3);
        SimNode old = network.AgreedPrimary()!;
        old.Pause();
        network.Run(TimeSpan.FromSeconds(10));

        old.Resume();

        Assert.False(old.IsPrimary);
        Assert.True(network.RunUntil(() => network.AgreedPrimary() is not null, TimeSpan.FromSeconds(1)), network.Describe());
    }

    [Fact]
    public void Isolated_primary_of_three_steps_down_within_a_lease_while_the_majority_elects_another()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            SimulatedNetwork network = Settled(3, seed);
            network.Run(TimeSpan.FromMilliseconds(network.Random.Next(3000)));
            SimNode old = network.AgreedPrimary()!;
            network.Partition([old]);
            DateTimeOffset partitionedAt = network.Now;

            Assert.True(network.RunUntil(() => !old.IsPrimary, s_withinLease), $"seed {seed}: {network.Describe()}");
            SimNode[] majority = [.. network.Nodes.Where(n => n != old)];
            TimeSpan left = partitionedAt + s_lease + TimeSpan.FromSeconds(1) - network.Now;
            Assert.True(network.RunUntil(() => network.AgreedPrimary(majority) is not null, left), network.Describe());

            network.Run(TimeSpan.FromSeconds(20));
            Assert.Equal(Truffle.MeshRole.None, old.Reported.Role);
            Assert.NotNull(network.AgreedPrimary(majority));
        }
    }

    [Fact]
    public void Isolated_secondary_of_three_has_no_primary_within_a_lease_while_the_majority_keeps_its_own()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            SimulatedNetwork network = Settled(3, seed);
            SimNode primary = network.AgreedPrimary()!;
            ulong term = primary.Reported.Term;
            SimNode lone = network.Nodes.First(n => n != primary);
            network.Partition([lone]);

            Assert.True(network.RunUntil(() => lone.Reported.Role == Truffle.MeshRole.None, s_withinLease), network.Describe());
            network.Run(TimeSpan.FromSeconds(30));
            Assert.Equal(Truffle.MeshRole.None, lone.Reported.Role);
            Assert.Equal(primary, network.AgreedPrimary(network.Nodes.Where(n => n != lone)));
            Assert.Equal(term, primary.Reported.Term);

            network.Heal();
            Assert.True(network.RunUntil(() => network.AgreedPrimary() == primary, network.Transport.ReconnectMaxDelay + TimeSpan.FromSeconds(2)), network.Describe());
        }
    }

    [Fact]
    public void Two_node_split_and_heal_ends_with_one_primary()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            SimulatedNetwork network = Settled(2, seed);
            network.History.AllowSameTermPrimaries = true;
            network.Partition([network["n0"]]);
            network.Run(TimeSpan.FromSeconds(5 + network.Random.Next(10)));

            // With two members there is nothing to split from: each side keeps (or takes) the role.
            Assert.True(network["n0"].IsPrimary && network["n1"].IsPrimary, network.Describe());

            network.Heal();
            Assert.True(network.RunUntil(() => network.AgreedPrimary() is not null, network.Transport.ReconnectMaxDelay + TimeSpan.FromSeconds(1)), $"seed {seed}: {network.Describe()}");
            network.Run(TimeSpan.FromSeconds(10));
            Assert.NotNull(network.AgreedPrimary());
        }
    }

    [Fact]
    public void Two_lone_primaries_of_the_same_term_resolve_by_rank_when_they_meet()
    {
        // Each starts while the other is out of reach: n0 alone at once, n1 after its join window; both claim term 1.
        SimulatedNetwork network = SimulatedNetwork.WithNodes(2, seed: 9);
        network.History.AllowSameTermPrimaries = true;
        network.Partition([network["n0"]]);
        network.StartAll();
        network.Run(TimeSpan.FromSeconds(2));
        Assert.True(network["n0"].IsPrimary && network["n1"].IsPrimary, network.Describe());
        Assert.Equal(network["n0"].Reported.Term, network["n1"].Reported.Term);

        network.Heal();

        Assert.True(network.RunUntil(() => network.AgreedPrimary() is not null, network.Transport.ReconnectMaxDelay + TimeSpan.FromMilliseconds(100)), network.Describe());
        Assert.Equal("n0", network.AgreedPrimary()!.Id);
    }
}
