using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Simulation;

/// <summary>
/// Routing through the production mesh and bus on the simulated network: on a healthy network every message arrives
/// exactly once, STAR relays what secondaries send, and no device can pass a message off as another's. (Under chaos
/// the same contract is checked by <see cref="ChaosTests"/>.)
/// </summary>
public sealed class RoutingTests
{
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
                network.Add(new Truffle.Mesh.ElectionMember($"n{i}", PreferPrimary: false, Priority: 0));
            }

            network.StartAndSettle();
            int routedBefore = network.RouteEnvelopesSeen;
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
            Assert.True(expectedRelays <= network.RouteEnvelopesSeen - routedBefore, $"seed {seed}: {network.RouteEnvelopesSeen - routedBefore} route envelopes");
            Assert.True(routing == TruffleRouting.Direct || traffic.ThroughPrimary > 0, $"seed {seed}: nothing went through the primary");
            Assert.Empty(Invariants.StopAll(network));
        }
    }

    [Fact]
    public void A_device_cannot_speak_for_another_one()
    {
        SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed: 7);
        network.StartAndSettle();
        SimNode liar = network["n2"];
        Truffle.Mesh.ElectionState state = liar.Mesh.State;
        SimConnection toN1 = network.OpenConnections.Single(c => c.Owner == liar && c.DeviceId == "n1");

        // n2, a secondary, passes off a message as n0's: only the primary of the current term may relay.
        Assert.Equal("n0", state.PrimaryId);
        var spoofed = new Envelope(EnvelopeKind.App, Traffic.Namespace, "m", From: "n0", To: "n1", 1UL << 50, state.Term, 0, EnvelopeFlags.None, new byte[12]);
        toN1.TrySend(spoofed);
        toN1.TrySend(spoofed with { From = "n2" });
        network.Run(TimeSpan.FromSeconds(1));
        Deliveries.Drain(network);

        Assert.Equal(["n2"], network["n1"].Received.Select(r => r.Message.From));
    }

    [Fact]
    public void Naming_a_newer_term_makes_nobody_a_relay_and_changes_no_term_or_primary()
    {
        SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed: 7);
        network.StartAndSettle();
        SimNode liar = network["n2"];
        Truffle.Mesh.ElectionState state = liar.Mesh.State;
        SimConnection toN1 = network.OpenConnections.Single(c => c.Owner == liar && c.DeviceId == "n1");

        // The attack of issue 10: a "relay" of a newer term, as another device and as the receiver itself, with a
        // sequence number meant to poison the replay window of the device it names.
        foreach (string claimed in new[] { "n0", "n1" })
        {
            for (ulong ahead = 1; ahead <= 3; ahead++)
            {
                toN1.TrySend(new Envelope(EnvelopeKind.App, Traffic.Namespace, "m", From: claimed, To: "n1", 1UL << 62, state.Term + ahead, 0, EnvelopeFlags.None, new byte[12]));
            }
        }

        network.Run(TimeSpan.FromSeconds(2));
        Assert.True(network["n0"].Mesh.Post("n1", Traffic.Namespace, "m", new byte[3]));
        network.Run(TimeSpan.FromSeconds(1));
        Deliveries.Drain(network);

        Assert.Equal(["n0"], network["n1"].Received.Select(r => r.Message.From));
        Assert.All(network.Nodes, n => Assert.Equal((state.PrimaryId, state.Term), (n.Mesh.State.PrimaryId, n.Mesh.State.Term)));
    }
}
