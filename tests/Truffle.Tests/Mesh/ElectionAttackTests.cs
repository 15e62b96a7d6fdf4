using System.Threading.Channels;
using Truffle.Mesh;
using Truffle.Messaging;
using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>
/// A rogue member on the app's loopback network (its own sidecar, its own id, the real wire) attacks the election of
/// three real devices: claims without votes, absurd terms, refusals and step-downs naming higher terms, lying votes,
/// and the best rank without ever running. The mesh keeps its primary and term, and elects without the rogue.
/// </summary>
[Collection(RealSidecar.Name)]
public sealed class ElectionAttackTests(SidecarBinary sidecar)
{
    [Fact]
    public async Task Claims_absurd_terms_refusals_and_lying_votes_from_one_member_change_no_primary_and_no_term()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        foreach (string name in new[] { "alpha", "beta", "gamma" })
        {
            await mesh.StartAsync(name);
        }

        TruffleNode primary = await mesh.OnePrimaryAsync();
        ulong term = primary.Term;
        string messageNamespace = Test.UniqueNamespace();
        var markers = Channel.CreateUnbounded<string>();
        var subscriptions = mesh.Nodes.Select(n => n.Bus.Subscribe(messageNamespace, null, (message, _) =>
        {
            markers.Writer.TryWrite(n.DeviceId);
            return ValueTask.CompletedTask;
        })).ToList();

        RogueDevice rogue = await mesh.StartRogueAsync();
        await using (rogue)
        {
            // The connections the real devices dialled: a connection the rogue dialled as well would race them, and
            // the newer of the two replaces the older, closing it under the rogue's sends.
            string rogueId = rogue.Presenting;
            List<RogueLink> links = [];
            foreach (TruffleNode target in mesh.Nodes)
            {
                links.Add(await rogue.AcceptedFromAsync(target));
            }

            await mesh.UntilAsync(() => mesh.Nodes.All(n => n.Devices.Any(d => d.Id == rogueId && d.IsOnline)) ? "joined" : null);
            ElectionMessage[] lies =
            [
                new(ElectionMessageKind.Claim, term + 1),
                new(ElectionMessageKind.Vote, term + 1, Granted: true, rogueId),
                new(ElectionMessageKind.Heartbeat, term + 1),
                new(ElectionMessageKind.Claim, term + Election.MaxTermStep + 1),
                new(ElectionMessageKind.Claim, ElectionMessageCodec.MaxTerm),
                new(ElectionMessageKind.Reject, term + 5, Granted: true),
                new(ElectionMessageKind.Reject, term, Granted: true),
                new(ElectionMessageKind.StepDown, term + 3),
                new(ElectionMessageKind.HeartbeatAck, term + 7),
                new(ElectionMessageKind.Vote, term, Granted: true, rogueId),
            ];
            foreach ((RogueLink link, TruffleNode target) in links.Zip(mesh.Nodes))
            {
                foreach (ElectionMessage lie in lies)
                {
                    await link.Connection.SendAsync(RogueDevice.Election(rogueId, target.DeviceId, lie), default);
                }

                // A term of 2^64 - 1 that no codec of ours would write: the bytes by hand.
                byte[] wrapping = [0x93, (byte)ElectionMessageKind.Claim, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc2];
                await link.Connection.SendAsync(RogueDevice.Election(rogueId, target.DeviceId, default) with { Payload = wrapping }, default);
                await link.Connection.SendAsync(RogueDevice.App(rogueId, target.DeviceId, messageNamespace, 1, term, [1]), default);
            }

            // Each marker follows every lie on its connection: once all three arrived, every lie was handled.
            var marked = new HashSet<string>();
            while (marked.Count < mesh.Nodes.Count)
            {
                marked.Add(await markers.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout));
            }

            Assert.All(mesh.Nodes, n => Assert.Equal((primary.DeviceId, term), (n.PrimaryId, n.Term)));
            Assert.Equal(MeshRole.Primary, primary.Role);
        }

        subscriptions.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task A_best_ranked_member_that_never_runs_is_passed_over_when_the_primary_leaves()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        foreach (string name in new[] { "alpha", "beta", "gamma" })
        {
            await mesh.StartAsync(name);
        }

        TruffleNode primary = await mesh.OnePrimaryAsync();
        RogueDevice rogue = await mesh.StartRogueAsync();
        await using (rogue)
        {
            rogue.ClaimsBestRank = true;
            string rogueId = RogueDevice.NewDeviceId();
            rogue.Present(rogueId);
            foreach (TruffleNode target in mesh.Nodes)
            {
                await rogue.ConnectAsync(target, rogueId);
            }

            await mesh.UntilAsync(() => mesh.Nodes.All(n => n.Devices.Any(d => d.Id == rogueId && d.IsOnline)) ? "joined" : null);
            await mesh.StopAsync(primary);

            // The two left (and the silent rogue, which outranks both) make a membership of three: one of the two
            // must win the other's vote once the rogue has had its chance.
            TruffleNode successor = await mesh.UntilAsync(() =>
                mesh.Nodes.All(n => n.PrimaryId is { } p && p == mesh.Nodes[0].PrimaryId && mesh.Nodes.Any(m => m.DeviceId == p))
                    ? mesh.Nodes.Single(n => n.Role == MeshRole.Primary)
                    : null);
            Assert.NotEqual(rogueId, successor.DeviceId);
            Assert.All(mesh.Nodes, n => Assert.Equal(successor.Term, n.Term));
        }
    }
}
