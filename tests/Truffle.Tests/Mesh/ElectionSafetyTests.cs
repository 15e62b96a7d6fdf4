using Truffle.Tests.Mesh.Simulation;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>
/// "At most one primary per term", checked at every state change of every node while a seeded schedule partitions
/// the network, loses, duplicates and delays messages, pauses processes and kills and restarts them.
/// </summary>
public sealed class ElectionSafetyTests
{
    private const int SeedsPerBatch = 250;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void At_most_one_primary_per_term_under_random_partitions_loss_delays_and_pauses(int batch)
    {
        for (int seed = batch * SeedsPerBatch; seed < (batch + 1) * SeedsPerBatch; seed++)
        {
            SimulatedNetwork network = Chaos.Run(seed, TimeSpan.FromMinutes(2));

            Assert.True(network.History.Violations.Count == 0,
                $"seed {seed}: {string.Join("; ", network.History.Violations)}\n{network.History.Tail()}");
            Assert.True(network.History.Claims.Count > 0, $"seed {seed}: nobody was ever primary");
        }
    }

    [Fact]
    public void The_mesh_recovers_one_agreed_primary_after_the_chaos_ends()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            SimulatedNetwork network = Chaos.Run(seed, TimeSpan.FromSeconds(40), restarts: true);

            // Heal everything and wake everyone; then a healthy network must settle on one primary.
            network.Conditions = NetworkConditions.Healthy;
            foreach (SimNode node in network.Nodes)
            {
                if (node.Paused)
                {
                    node.Resume();
                }
                else if (!node.Alive)
                {
                    network.Revive(node);
                }
            }

            network.Heal();
            bool agreed = network.RunUntil(() => network.AgreedPrimary() is not null, TimeSpan.FromSeconds(15));

            Assert.True(agreed, $"seed {seed}: {network.Describe()}\n{network.History.Tail()}");
        }
    }
}
