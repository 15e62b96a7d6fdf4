using Truffle.Mesh;
using Truffle.Tests.Mesh.Simulation;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>
/// The mesh's router on the deterministic simulated network (the same code <see cref="MeshNode"/> runs over real
/// connections): relayed messages keep their sender, every sender's messages arrive in order and at most once, and
/// broadcasts never come back, whatever the partitions, loss, duplication, delays, pauses and restarts.
/// </summary>
public sealed class RoutingSimulationTests
{
    private const int SeedsPerBatch = 50;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Relayed_messages_keep_their_sender_and_each_sender_stays_in_order_under_chaos(int batch)
    {
        int relayed = 0;
        int received = 0;
        for (int seed = batch * SeedsPerBatch; seed < (batch + 1) * SeedsPerBatch; seed++)
        {
            Traffic? traffic = null;
            SimulatedNetwork network = Chaos.Run(seed, TimeSpan.FromSeconds(60), restarts: true,
                started: n => traffic = Traffic.Start(n, TimeSpan.FromMilliseconds(20)));

            List<string> violations = Deliveries.Violations(network);
            Assert.True(violations.Count == 0, $"seed {seed}: {string.Join("; ", violations.Take(10))}\n{network.History.Tail()}");
            Assert.True(traffic!.Sent > 0, $"seed {seed}: nothing was sent");
            relayed += network.RouteEnvelopesSeen;
            received += network.Nodes.Sum(n => n.Received.Count);
        }

        Assert.True(relayed > 0, "no message went through a primary");
        Assert.True(received > 0, "no message arrived");
    }

    [Theory]
    [InlineData(TruffleRouting.Star)]
    [InlineData(TruffleRouting.Direct)]
    public void On_a_healthy_network_every_message_arrives_exactly_once_and_star_relays_what_secondaries_send(TruffleRouting routing)
    {
        for (int seed = 0; seed < 50; seed++)
        {
            var network = new SimulatedNetwork(seed) { Routing = routing };
            for (int i = 0; i < 4; i++)
            {
                network.Add(new ElectionMember($"n{i}", PreferPrimary: false, Priority: 0));
            }

            network.StartAll();
            Assert.True(network.RunUntil(() => network.AgreedPrimary() is not null, TimeSpan.FromSeconds(2)), $"seed {seed}");
            Traffic traffic = Traffic.Start(network, TimeSpan.FromMilliseconds(5));
            network.Run(TimeSpan.FromSeconds(10));
            traffic.Stop();
            network.Run(TimeSpan.FromSeconds(1));

            Assert.Equal(0, traffic.Unreachable);
            Assert.Empty(Deliveries.Violations(network));
            foreach (SimNode node in network.Nodes)
            {
                Dictionary<(string Origin, long Counter), int> counts = Deliveries.Counts(node);
                List<(string, long)> expected = [.. traffic.Messages
                    .Where(m => m.From != node.Id && (m.To.Length == 0 || m.To == node.Id))
                    .Select(m => (m.From, m.Counter))];
                Assert.Equal(expected.Count, node.Received.Count);
                Assert.All(expected, m => Assert.Equal(1, counts.GetValueOrDefault(m)));
            }

            int expectedRelays = routing == TruffleRouting.Star ? traffic.ThroughPrimary : 0;
            Assert.Equal(expectedRelays, network.RouteEnvelopesSeen);
            Assert.True(routing == TruffleRouting.Direct || traffic.ThroughPrimary > 0, $"seed {seed}: nothing went through the primary");
        }
    }

    [Fact]
    public void A_device_cannot_speak_for_another_one()
    {
        SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed: 7);
        network.StartAll();
        Assert.True(network.RunUntil(() => network.AgreedPrimary() is not null, TimeSpan.FromSeconds(2)));
        SimNode liar = network["n2"];
        ElectionState state = liar.Election.State;

        // n2, a secondary, passes off a message as n0's: only the primary of the current term may relay.
        Assert.Equal("n0", state.PrimaryId);
        var spoofed = new Envelope(EnvelopeKind.App, "sim", "m", From: "n0", To: "n1", liar.Router.NextSequence(), state.Term, 0, EnvelopeFlags.None, new byte[12]);
        liar.LinkTo("n1")!.TrySend(spoofed);
        liar.LinkTo("n1")!.TrySend(spoofed with { From = "n2" });
        network.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(["n2"], network["n1"].Received.Select(r => r.Envelope.From));
    }
}
