using Truffle.Sync;
using Truffle.Tests.Simulation;
using Truffle.Tests.Support;
using Xunit;
using Truffle.Wire;

namespace Truffle.Tests.Sync;

/// <summary>Restarts, leaves, tombstones and forged senders.</summary>
public sealed class SyncLifecycleTests
{
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void A_restart_without_persistence_drops_the_old_slice_and_shows_the_new_incarnation()
    {
        SimulatedNetwork net = Devices(1);
        (SimNode a, SimNode b) = (net["a"], net["b"]);
        net.StartAndSettle();
        a.Store<Status>().Local = new Status("before", 1, [], 5);
        net.Run(Moment);
        Assert.Equal("before", b.Store<Status>().Remotes["a"].Text);

        Restart(net, a);
        Assert.Null(a.Store<Status>().Local);
        Assert.False(b.Store<Status>().Remotes.ContainsKey("a")); // the old incarnation is dead
        a.Store<Status>().Local = new Status("after", 2, [], 0);
        net.Run(Moment);

        Assert.Equal("after", b.Store<Status>().Remotes["a"].Text);
    }

    [Fact]
    public void A_restart_with_persistence_keeps_the_local_slice_and_republishes_it_under_the_new_incarnation()
    {
        string directory = Path.Combine(Path.GetTempPath(), "truffle-sync-" + Guid.NewGuid().ToString("N"));
        try
        {
            SimulatedNetwork net = Devices(2);
            (SimNode a, SimNode b) = (net["a"], net["b"]);
            a.SyncOptions = net.Sync with { StateDirectory = directory };
            net.StartAndSettle();
            a.Store<Status>().Local = new Status("kept", 3, ["x"], 7);
            net.Run(Moment);
            var snapshots = new List<SnapshotMessage>();
            net.SyncTap = (from, to, message) => { if (message is SnapshotMessage s) { snapshots.Add(s); } return true; };

            Restart(net, a);
            net.Run(Moment);

            Assert.True(File.Exists(Path.Combine(directory, "sync-sync-status.msgpack")));
            Assert.True(Slices.Same(new Status("kept", 3, ["x"], 7), a.Store<Status>().Local));
            Assert.True(Slices.Same(new Status("kept", 3, ["x"], 7), b.Store<Status>().Remotes["a"]));
            Assert.All(snapshots, s => Assert.Equal(2UL, s.Incarnation));
            Assert.NotEmpty(snapshots);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_late_delta_or_snapshot_cannot_revive_a_tombstoned_slice_but_a_higher_incarnation_can()
    {
        using var tombstoned = new SyncCounter(TruffleMetrics.Shared.Sync.Rejected, "sync-tombstone-probe", "tombstoned");
        SimulatedNetwork net = Devices(3);
        net.Sync = new SyncOptions { CoalesceWindow = TimeSpan.Zero };
        (SimNode a, SimNode b) = (net["a"], net["b"]);
        net.StartAndSettle();
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("v1", 1);
        net.Run(Moment);
        var held = new List<(string From, byte[] Bytes)>();
        net.SyncTap = (from, to, message) =>
        {
            held.Add((from.Id, SyncMessageCodec.Encode(message))); // keep everything a sends from now on, deliver nothing
            return false;
        };
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("v2", 2);
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("v3", 3);
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("v4 is bigger than the rest", 4);
        var removed = new List<SliceChanged<TombstoneProbe>>();
        b.Store<TombstoneProbe>().Changed += (_, e) => removed.Add(e);

        b.Sync.DeviceLeft("a");
        foreach ((string from, byte[] bytes) in held)
        {
            b.Sync.Receive(from, bytes); // the first delta would have applied in exact succession
        }

        b.Sync.Receive("a", SyncMessageCodec.Encode(new SnapshotMessage("sync-tombstone-probe", "a", 1, 99, TruffleSerializer.Serialize(new TombstoneProbe("late", 9)))));

        Assert.False(b.Store<TombstoneProbe>().Remotes.ContainsKey("a"));
        Assert.Equal([("a", (TombstoneProbe?)null)], removed.Select(e => (e.DeviceId, e.Value)));
        Assert.True(tombstoned.Total >= held.Count(h => h.From == "a") + 1, $"tombstoned {tombstoned.Total}");

        net.SyncTap = null;
        Restart(net, a);
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("reborn", 1);
        net.Run(Moment);

        Assert.Equal("reborn", b.Store<TombstoneProbe>().Remotes["a"].Text);
    }

    [Fact]
    public void A_tombstone_expires_after_its_ttl()
    {
        SimulatedNetwork net = Devices(4);
        net.Sync = new SyncOptions { TombstoneTtl = TimeSpan.FromMinutes(5) };
        SimNode b = net["b"];
        net.StartAndSettle();
        b.Sync.DeviceLeft("a");
        byte[] snapshot = SyncMessageCodec.Encode(new SnapshotMessage("sync-status", "a", 1, 1, TruffleSerializer.Serialize(new Status("x", 1, [], 0))));

        b.Sync.Receive("a", snapshot);
        bool hiddenWhileTombstoned = !b.Store<Status>().Remotes.ContainsKey("a");
        net.Run(TimeSpan.FromMinutes(5));
        b.Sync.Receive("a", snapshot);

        Assert.True(hiddenWhileTombstoned);
        Assert.True(b.Store<Status>().Remotes.ContainsKey("a"));
    }

    [Fact]
    public void A_slice_written_by_anyone_but_its_owner_is_rejected_and_counted_as_spoofed()
    {
        using var spoofed = new SyncCounter(TruffleMetrics.Shared.Sync.Rejected, "sync-spoof-probe", "spoofed");
        SimulatedNetwork net = Devices(5, "a", "b", "c");
        (SimNode a, SimNode b) = (net["a"], net["b"]);
        net.StartAndSettle();
        a.Store<SpoofProbe>().Local = new SpoofProbe("genuine");
        net.Run(Moment);
        byte[] forgedSnapshot = SyncMessageCodec.Encode(new SnapshotMessage("sync-spoof-probe", "a", 1, 50, TruffleSerializer.Serialize(new SpoofProbe("forged"))));
        byte[] forgedDelta = SyncMessageCodec.Encode(new DeltaMessage("sync-spoof-probe", "a", 1, 1, 2, new MemberMask(1), TruffleSerializer.Serialize(new SpoofProbe("forged"))));

        b.Sync.Receive("c", forgedSnapshot); // even a "relayed" newer snapshot: only the owner may write
        b.Sync.Receive("c", forgedDelta);
        b.Sync.Receive("c", SyncMessageCodec.Encode(new GoodbyeMessage("a", 1)));

        Assert.Equal("genuine", b.Store<SpoofProbe>().Remotes["a"].Text);
        Assert.Equal(2, spoofed.Total); // the goodbye names no store; it is counted with an empty store tag
    }

    /// <summary>Devices (a and b by default) that open the stores these tests use at every start.</summary>
    private static SimulatedNetwork Devices(int seed, params string[] ids)
    {
        SimulatedNetwork net = SimulatedNetwork.WithDevices(seed, ids.Length == 0 ? ["a", "b"] : ids);
        foreach (SimNode node in net.Nodes)
        {
            node.OnStart = OpenStores;
        }

        return net;
    }

    private static void OpenStores(SimNode node)
    {
        node.Store<Status>();
        node.Store<TombstoneProbe>();
        node.Store<SpoofProbe>();
    }

    /// <summary>A crash without goodbye, then a new process with the next incarnation, connected again.</summary>
    private static void Restart(SimulatedNetwork net, SimNode node)
    {
        int incarnation = node.Incarnation;
        node.Kill();
        net.Run(Moment);
        node.Start();
        Assert.True(net.RunUntil(() => net.FullyConnected() && net.AgreedPrimary() is not null, TimeSpan.FromSeconds(10)), net.Describe());
        Assert.Equal(incarnation + 1, node.Incarnation);
    }
}
