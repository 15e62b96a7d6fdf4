using Xunit;

namespace Truffle.Tests.Simulation;

/// <summary><c>node.Traffic</c>: each node's envelopes, in total and per other device, on the simulated STAR mesh.</summary>
public sealed class MeshTrafficTests
{
    [Fact]
    public void Each_node_counts_what_it_sent_received_and_relayed_per_device()
    {
        SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed: 31);
        network.StartAndSettle();
        SimNode primary = network.Nodes.Single(n => n.IsPrimary);
        SimNode[] secondaries = [.. network.Nodes.Where(n => n != primary).OrderBy(n => n.Id, StringComparer.Ordinal)];
        (SimNode s1, SimNode s2) = (secondaries[0], secondaries[1]);
        (MeshTraffic p, MeshTraffic a, MeshTraffic b) = (primary.Mesh.Traffic, s1.Mesh.Traffic, s2.Mesh.Traffic);
        // The election is control traffic, not counted: every counter starts at zero.
        Assert.All([p, a, b], t => Assert.Equal((0L, 0L, 0L), (t.Sent, t.Received, t.Relayed)));

        SimulatedNetwork.Inline(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                s1.Bus.SendAsync(s2.Id, Traffic.Namespace, "m", new byte[] { 0xC0 }).AsTask().GetAwaiter().GetResult();
            }

            s1.Bus.BroadcastAsync(Traffic.Namespace, "m", new byte[] { 0xC0 }).AsTask().GetAwaiter().GetResult();
        });
        network.Run(TimeSpan.FromSeconds(1));

        // s1: three envelopes addressed to s2 (through the primary) and one broadcast handed to the primary.
        Assert.Equal((4L, 0L, 0L), (a.Sent, a.Received, a.Relayed));
        Assert.Equal((3L, 1L), (a.SentTo(s2.Id), a.SentTo(primary.Id)));
        // The primary forwards all four to s2 and delivers the broadcast to itself.
        Assert.Equal((0L, 1L, 4L), (p.Sent, p.Received, p.Relayed));
        Assert.Equal((4L, 1L), (p.SentTo(s2.Id), p.ReceivedFrom(s1.Id)));
        // s2 received four envelopes, all with s1 as sender.
        Assert.Equal((0L, 4L), (b.Sent, b.Received));
        Assert.Equal((4L, 0L), (b.ReceivedFrom(s1.Id), b.ReceivedFrom(primary.Id)));
        Assert.Equal(0, b.SentTo(s1.Id));

        // Sync counts too: opening a store asks each device for its slice (two requests, the one to s2 through the
        // primary), and the slice write is one broadcast handed to the primary, which relays both on to s2.
        s1.Store<Truffle.Tests.Sync.Status>().Local = new Truffle.Tests.Sync.Status("idle", 1, [], 0);
        network.Run(TimeSpan.FromSeconds(1));
        Assert.Equal((7L, 3L, 4L), (a.Sent, a.SentTo(primary.Id), a.SentTo(s2.Id)));
        Assert.Equal((6L, 6L), (p.Relayed, p.SentTo(s2.Id)));
        Assert.Equal((6L, 6L), (b.Received, b.ReceivedFrom(s1.Id)));
    }
}
