using System.Threading.Channels;
using Truffle.Mesh;
using Truffle.Messaging;
using Truffle.Sync;
using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;
using Truffle.Tests.Sync;
using Truffle.Transport;
using Xunit;
using Truffle.Wire;

namespace Truffle.Tests.Mesh;

/// <summary>
/// A rogue device on the app's loopback network, with a real sidecar of its own (the network vouches for its node),
/// speaking the real wire: it claims other devices' ids, cycles through ids, and forges senders. Real devices,
/// each with its own sidecar, must refuse every claim and keep their mesh, slices and primary (SPEC §5a).
/// </summary>
[Collection(RealSidecar.Name)]
public sealed class ImpersonationTests(SidecarBinary sidecar)
{
    [Fact]
    public async Task A_hello_claiming_another_devices_id_is_refused_and_that_device_keeps_its_connections_and_slice()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        List<SyncedStore<Status>> stores = await StartThreeAsync(mesh);
        await mesh.OnePrimaryAsync();
        TruffleNode victim = mesh.Nodes[1];
        stores[1].Local = new Status("real", 50, [], 1);
        await mesh.UntilAsync(() => SeenByOthers(mesh, stores, 1, counter: 1));
        using var refusals = new MetricRecorder(TruffleMetrics.Shared.Mesh.IdentityRefused, null);

        RogueDevice rogue = await mesh.StartRogueAsync(presenting: victim.DeviceId);
        await using (rogue)
        {
            foreach (TruffleNode target in mesh.Nodes)
            {
                HandshakeException refused = await Assert.ThrowsAsync<HandshakeException>(() => rogue.ConnectAsync(target, victim.DeviceId));
                Assert.Equal(CloseCodes.IdentityMismatch, refused.CloseCode);
                Assert.Contains(target == victim ? "is not node" : "is bound to another node", refused.Message, StringComparison.Ordinal);
            }

            // The real devices find the rogue and dial it too; it answers as the victim, and they refuse it themselves.
            await rogue.DialledByAllAsync(mesh.Nodes);
            Assert.True(rogue.RefusedIncoming >= 3, $"{rogue.RefusedIncoming} refused");
        }

        // The rogue left (without a goodbye) and every device has handled its node's departure.
        await mesh.AllSawNodeGoneAsync(rogue.NodeId);

        // The victim was never replaced, nor declared gone: its next change is accepted everywhere (a tombstone
        // would refuse it), and it is online for every other device.
        stores[1].Local = new Status("still real", 51, [], 2);
        await mesh.UntilAsync(() => SeenByOthers(mesh, stores, 1, counter: 2));
        Assert.All(mesh.Nodes.Where(n => n != victim), n => Assert.True(n.Devices.Single(d => d.Id == victim.DeviceId).IsOnline));
        Assert.All(mesh.Nodes, n => Assert.Equal(3, n.MembershipSize));
        Assert.True(refusals.Total >= 3, $"{refusals.Total} refusals counted");
    }

    [Fact]
    public async Task A_node_saying_hello_as_several_ids_in_turn_counts_once_and_the_mesh_keeps_its_primary_after_it_leaves()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        await StartThreeAsync(mesh);
        await mesh.OnePrimaryAsync();
        var ids = new List<string>();

        RogueDevice rogue = await mesh.StartRogueAsync();
        await using (rogue)
        {
            for (int i = 0; i < 3; i++)
            {
                string id = RogueDevice.NewDeviceId();
                ids.Add(id);
                rogue.Present(id);
                foreach (TruffleNode target in mesh.Nodes)
                {
                    await rogue.ConnectAsync(target, id);
                }

                await mesh.UntilAsync(() => mesh.Nodes.All(n => n.Devices.Any(d => d.Id == id && d.IsOnline)) ? "joined" : null);

                // The ids before were replaced (as a reinstall replaces a device): gone from the device table and the
                // election's membership, which counts the rogue's node once. Awaited, not read at once: a real
                // device's dial to the rogue that was in flight when it switched ids finishes its own hello first.
                await mesh.UntilAsync(() => mesh.Nodes.All(n => n.MembershipSize == 4 && !n.Devices.Any(d => ids.SkipLast(1).Contains(d.Id))) ? "replaced" : null);
                Assert.All(mesh.Nodes, n => Assert.Equal(4, n.MembershipSize));
            }

            await rogue.DialledByAllAsync(mesh.Nodes); // each has listed its node, so each will see it leave
        }

        await mesh.AllSawNodeGoneAsync(rogue.NodeId);
        await mesh.OnePrimaryAsync();

        Assert.All(mesh.Nodes, n => Assert.Equal(3, n.MembershipSize));
        Assert.All(mesh.Nodes, n => Assert.DoesNotContain(n.Devices, d => d.IsOnline && ids.Contains(d.Id)));
    }

    /// <summary>Needs sender authenticity in <c>Mesh/Router.cs</c> (issue 10, Build 3): a newer term makes no relay.</summary>
    [Fact]
    public async Task A_direct_envelope_naming_another_sender_or_the_receiver_with_the_next_term_is_not_delivered()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        await StartThreeAsync(mesh);
        TruffleNode primary = await mesh.OnePrimaryAsync();
        TruffleNode receiver = mesh.Nodes.First(n => n != primary);
        TruffleNode impersonated = mesh.Nodes.First(n => n != primary && n != receiver);
        string messageNamespace = Test.UniqueNamespace();
        var inbox = Channel.CreateUnbounded<InboundMessage>();
        using IDisposable subscription = receiver.Bus.Subscribe(messageNamespace, null, (message, _) =>
        {
            inbox.Writer.TryWrite(message with { Payload = message.Payload.ToArray() });
            return ValueTask.CompletedTask;
        });

        RogueDevice rogue = await mesh.StartRogueAsync();
        await using (rogue)
        {
            // The connection the receiver dialled: one the rogue dialled as well would race it and could be replaced.
            string rogueId = rogue.Presenting;
            RogueLink link = await rogue.AcceptedFromAsync(receiver);
            ulong term = receiver.Term;

            await link.Connection.SendAsync(RogueDevice.App(impersonated.DeviceId, receiver.DeviceId, messageNamespace, 1, term + 1, [1]), default);
            await link.Connection.SendAsync(RogueDevice.App(primary.DeviceId, receiver.DeviceId, messageNamespace, 1, term + 1, [2]), default);
            await link.Connection.SendAsync(RogueDevice.App(receiver.DeviceId, receiver.DeviceId, messageNamespace, 1, term + 1, [3]), default);
            await link.Connection.SendAsync(RogueDevice.App(rogueId, receiver.DeviceId, messageNamespace, 1, term, [4]), default);

            // The rogue's own message is delivered, and after every forged one it sent before on the same connection.
            InboundMessage first = await inbox.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);
            Assert.Equal((rogueId, (byte)4), (first.From, first.Payload.Span[0]));
            Assert.False(inbox.Reader.TryRead(out InboundMessage extra), $"also delivered: from {extra.From}");
            Assert.Equal((term, primary.DeviceId), (receiver.Term, receiver.PrimaryId));
        }
    }

    private static async Task<List<SyncedStore<Status>>> StartThreeAsync(LoopbackMesh mesh)
    {
        var stores = new List<SyncedStore<Status>>();
        foreach (string name in new[] { "alpha", "beta", "gamma" })
        {
            TruffleNode node = await mesh.StartAsync(name);
            SyncedStore<Status> store = node.Sync.Store<Status>();
            store.Changed += (_, _) => mesh.Poke();
            stores.Add(store);
        }

        return stores;
    }

    private static string? SeenByOthers(LoopbackMesh mesh, List<SyncedStore<Status>> stores, int owner, long counter) =>
        stores.Where((_, i) => i != owner).All(s => s.Remotes.TryGetValue(mesh.Nodes[owner].DeviceId, out Status? seen) && seen.Counter == counter)
            ? "seen"
            : null;
}
