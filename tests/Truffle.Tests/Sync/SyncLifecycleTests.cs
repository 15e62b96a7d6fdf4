using Truffle.Sync;
using Truffle.Tests.Sync.Simulation;
using Xunit;

namespace Truffle.Tests.Sync;

/// <summary>Restarts, leaves, tombstones and forged senders.</summary>
public sealed class SyncLifecycleTests
{
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void A_restart_without_persistence_drops_the_old_slice_and_shows_the_new_incarnation()
    {
        using var net = new SimNetwork(1);
        SimNode a = net.Add("a"), b = net.Add("b");
        b.Store<Status>();
        a.Store<Status>().Local = new Status("before", 1, [], 5);
        net.JoinAll();
        net.RunFor(Moment);
        Assert.Equal("before", b.Store<Status>().Remotes["a"].Text);

        Restart(net, a);
        Assert.Null(a.Store<Status>().Local);
        Assert.False(b.Store<Status>().Remotes.ContainsKey("a")); // the old incarnation is dead
        a.Store<Status>().Local = new Status("after", 2, [], 0);
        net.RunFor(Moment);

        Assert.Equal("after", b.Store<Status>().Remotes["a"].Text);
    }

    [Fact]
    public void A_restart_with_persistence_keeps_the_local_slice_and_republishes_it_under_the_new_incarnation()
    {
        string directory = Path.Combine(Path.GetTempPath(), "truffle-sync-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var net = new SimNetwork(2);
            var persistent = net.Options with { StateDirectory = directory };
            SimNode a = net.Add("a", options: persistent), b = net.Add("b");
            b.Store<Status>();
            a.Store<Status>().Local = new Status("kept", 3, ["x"], 7);
            net.JoinAll();
            net.RunFor(Moment);
            var snapshots = new List<SnapshotMessage>();
            net.Tap = (from, to, message) => { if (message is SnapshotMessage s) { snapshots.Add(s); } return true; };

            Restart(net, a, persistent);
            net.RunFor(Moment);

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
        using var tombstoned = new SyncCounter(SyncMetrics.Rejected, "sync-tombstone-probe", "tombstoned");
        using var net = new SimNetwork(3, new SyncOptions { CoalesceWindow = TimeSpan.Zero });
        SimNode a = net.Add("a"), b = net.Add("b");
        b.Store<TombstoneProbe>();
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("v1", 1);
        net.JoinAll();
        net.RunFor(Moment);
        var held = new List<(string From, byte[] Bytes)>();
        net.Tap = (from, to, message) =>
        {
            held.Add((from, SyncMessageCodec.Encode(message))); // keep everything a sends from now on, deliver nothing
            return false;
        };
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("v2", 2);
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("v3", 3);
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("v4 is bigger than the rest", 4);
        var removed = new List<SliceChanged<TombstoneProbe>>();
        b.Store<TombstoneProbe>().Changed += (_, e) => removed.Add(e);

        b.Engine.DeviceLeft("a");
        foreach ((string from, byte[] bytes) in held)
        {
            b.Engine.Receive(from, bytes); // the first delta would have applied in exact succession
        }

        b.Engine.Receive("a", SyncMessageCodec.Encode(new SnapshotMessage("sync-tombstone-probe", "a", 1, 99, TruffleSerializer.Serialize(new TombstoneProbe("late", 9)))));

        Assert.False(b.Store<TombstoneProbe>().Remotes.ContainsKey("a"));
        Assert.Equal([("a", (TombstoneProbe?)null)], removed.Select(e => (e.DeviceId, e.Value)));
        Assert.True(tombstoned.Total >= held.Count(h => h.From == "a") + 1, $"tombstoned {tombstoned.Total}");

        net.Tap = null;
        Restart(net, a);
        a.Store<TombstoneProbe>().Local = new TombstoneProbe("reborn", 1);
        net.RunFor(Moment);

        Assert.Equal("reborn", b.Store<TombstoneProbe>().Remotes["a"].Text);
    }

    [Fact]
    public void A_tombstone_expires_after_its_ttl()
    {
        using var net = new SimNetwork(4, new SyncOptions { TombstoneTtl = TimeSpan.FromMinutes(5) });
        net.Add("a");
        SimNode b = net.Add("b");
        b.Store<Status>();
        net.JoinAll();
        b.Engine.DeviceLeft("a");
        byte[] snapshot = SyncMessageCodec.Encode(new SnapshotMessage("sync-status", "a", 1, 1, TruffleSerializer.Serialize(new Status("x", 1, [], 0))));

        b.Engine.Receive("a", snapshot);
        bool hiddenWhileTombstoned = !b.Store<Status>().Remotes.ContainsKey("a");
        net.RunFor(TimeSpan.FromMinutes(5));
        b.Engine.Receive("a", snapshot);

        Assert.True(hiddenWhileTombstoned);
        Assert.True(b.Store<Status>().Remotes.ContainsKey("a"));
    }

    [Fact]
    public void A_slice_written_by_anyone_but_its_owner_is_rejected_and_counted_as_spoofed()
    {
        using var spoofed = new SyncCounter(SyncMetrics.Rejected, "sync-spoof-probe", "spoofed");
        using var net = new SimNetwork(5);
        SimNode a = net.Add("a"), b = net.Add("b"), c = net.Add("c");
        b.Store<SpoofProbe>();
        c.Store<SpoofProbe>();
        a.Store<SpoofProbe>().Local = new SpoofProbe("genuine");
        net.JoinAll();
        net.RunFor(Moment);
        byte[] forgedSnapshot = SyncMessageCodec.Encode(new SnapshotMessage("sync-spoof-probe", "a", 1, 50, TruffleSerializer.Serialize(new SpoofProbe("forged"))));
        byte[] forgedDelta = SyncMessageCodec.Encode(new DeltaMessage("sync-spoof-probe", "a", 1, 1, 2, new MemberMask(1), TruffleSerializer.Serialize(new SpoofProbe("forged"))));

        b.Engine.Receive("c", forgedSnapshot); // even a "relayed" newer snapshot: only the owner may write
        b.Engine.Receive("c", forgedDelta);
        b.Engine.Receive("c", SyncMessageCodec.Encode(new GoodbyeMessage("a", 1)));

        Assert.Equal("genuine", b.Store<SpoofProbe>().Remotes["a"].Text);
        Assert.Equal(2, spoofed.Total); // the goodbye names no store; it is counted with an empty store tag
    }

    private static void Restart(SimNetwork net, SimNode node, SyncOptions? options = null)
    {
        node.Stop();
        node.Start(node.Incarnation + 1, options ?? net.Options);
        node.Store<Status>();
        node.Store<TombstoneProbe>();
        foreach (SimNode other in net.Nodes.Where(n => n != node))
        {
            other.Engine.DeviceJoined(node.Id, node.Incarnation);
            node.Engine.DeviceJoined(other.Id, other.Incarnation);
        }
    }
}
