using Truffle.Sync;
using Truffle.Tests.Mesh;
using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;
using Xunit;
using Truffle.Wire;

namespace Truffle.Tests.Sync;

/// <summary>Synced stores across real nodes, each with its own sidecar process, on a loopback network.</summary>
[Collection(RealSidecar.Name)]
public sealed class SyncMeshTests(SidecarBinary sidecar)
{
    [Fact]
    public async Task Slices_converge_across_nodes_and_a_change_carries_only_its_members()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        var stores = new List<SyncedStore<Status>>();
        var changes = new List<SliceChanged<Status>>();
        foreach (string name in new[] { "north", "south", "east" })
        {
            TruffleNode node = await mesh.StartAsync(name);
            SyncedStore<Status> store = node.Sync.Store<Status>();
            store.Changed += (_, change) =>
            {
                lock (changes)
                {
                    changes.Add(change);
                }

                mesh.Poke();
            };
            stores.Add(store);
        }

        await mesh.OnePrimaryAsync();
        for (int i = 0; i < stores.Count; i++)
        {
            stores[i].Local = new Status($"device {i}", 50 + i, ["a"], 0);
        }

        await mesh.UntilAsync(() => Converged(mesh, stores) ? "converged" : null);
        stores[1].Update(status => status! with { Battery = 10 });
        await mesh.UntilAsync(() => Converged(mesh, stores) ? "converged" : null);

        string owner = mesh.Nodes[1].DeviceId;
        Assert.All(stores.Where((_, i) => i != 1), store => Assert.Equal(10, store.Remotes[owner].Battery));
        lock (changes)
        {
            Assert.Equal(2, changes.Count(c => !c.IsLocal && c.DeviceId == owner && c.ChangedMembers.SequenceEqual(["battery"], StringComparer.OrdinalIgnoreCase)));
        }
    }

    [Fact]
    public async Task A_device_that_leaves_disappears_and_returns_with_its_persisted_slice()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        TruffleNode leaver = await mesh.StartAsync("leaver", o => o with { PersistSlices = true });
        TruffleNode stayer = await mesh.StartAsync("stayer");
        SyncedStore<Status> watched = stayer.Sync.Store<Status>();
        watched.Changed += (_, _) => mesh.Poke();
        await mesh.OnePrimaryAsync();
        leaver.Sync.Store<Status>().Local = new Status("kept on disk", 42, ["x", "y"], 7);
        string id = leaver.DeviceId;
        await mesh.UntilAsync(() => watched.Remotes.TryGetValue(id, out Status? s) && s.Counter == 7 ? s : null);

        await mesh.StopAsync(leaver);
        await mesh.UntilAsync(() => watched.Remotes.ContainsKey(id) ? null : "gone");
        TruffleNode back = await mesh.StartAsync("leaver", o => o with { PersistSlices = true });
        SyncedStore<Status> restored = back.Sync.Store<Status>();
        Status seen = await mesh.UntilAsync(() => watched.Remotes.TryGetValue(id, out Status? s) ? s : null);

        Assert.Equal(id, back.DeviceId);
        Assert.Equal("kept on disk", restored.Local?.Text);
        Assert.Equal(("kept on disk", 42, 7L), (seen.Text, seen.Battery, seen.Counter));
        Assert.Equal<string>(["x", "y"], seen.Tags);
    }

    private static bool Converged(LoopbackMesh mesh, List<SyncedStore<Status>> stores)
    {
        for (int i = 0; i < stores.Count; i++)
        {
            for (int j = 0; j < stores.Count; j++)
            {
                if (i != j && (!stores[i].Remotes.TryGetValue(mesh.Nodes[j].DeviceId, out Status? replica) || !Same(replica, stores[j].Local)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool Same(Status replica, Status? owner) =>
        owner is not null && Truffle.Sync.SliceDelta.Create(replica, owner).IsEmpty;

    [Fact]
    public async Task A_slice_just_under_the_limit_syncs_in_one_message_and_one_over_it_stays_local_and_is_counted()
    {
        using var tooLarge = new MetricRecorder(TruffleMetrics.Shared.Sync.TooLarge, messageNamespace: null); // only this test makes any
        await using var mesh = new LoopbackMesh(sidecar);
        SyncedStore<SizeProbe> owner = (await mesh.StartAsync("big")).Sync.Store<SizeProbe>();
        SyncedStore<SizeProbe> reader = (await mesh.StartAsync("small")).Sync.Store<SizeProbe>();
        reader.Changed += (_, _) => mesh.Poke();
        await mesh.OnePrimaryAsync();
        int limit = new SyncOptions().MaxSliceBytes;
        string ownerId = mesh.Nodes[0].DeviceId;

        owner.Local = new SizeProbe(new string('x', limit - 16)); // with its MessagePack headers, just under
        await mesh.UntilAsync(() => reader.Remotes.TryGetValue(ownerId, out SizeProbe? seen) && seen.Blob.Length == limit - 16 ? "arrived" : null);
        owner.Local = new SizeProbe(new string('y', limit + 1));
        await tooLarge.WaitForAsync(1);

        Assert.Equal('y', owner.Local!.Blob[0]);
        Assert.Equal('x', reader.Remotes[ownerId].Blob[0]);
    }
}
