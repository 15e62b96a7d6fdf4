using Truffle.Sync;
using Truffle.Tests.Simulation;
using Xunit;

namespace Truffle.Tests.Sync;

/// <summary>The receiver and sender rules of the protocol, each on a perfect simulated network.</summary>
public sealed class SyncProtocolTests
{
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void An_unchanged_value_sends_nothing_and_raises_nothing()
    {
        SimulatedNetwork net = new(1);
        var (a, _) = Pair(net);
        var sent = new List<SyncMessage>();
        net.SyncTap = (from, to, message) => { sent.Add(message); return true; };
        int events = 0;
        a.Store<Status>().Changed += (_, _) => events++;

        a.Store<Status>().Local = new Status("idle", 50, ["x"], 1);
        net.Run(Moment);
        int afterFirst = sent.Count;
        a.Store<Status>().Local = new Status("idle", 50, ["x"], 1); // equal, distinct instance and array
        net.Run(Moment);

        Assert.Equal(1, afterFirst);
        Assert.Equal(afterFirst, sent.Count);
        Assert.Equal(1, events);
    }

    [Fact]
    public void The_first_value_leaves_as_a_snapshot_and_later_changes_as_deltas_in_exact_succession()
    {
        SimulatedNetwork net = new(2) { Sync = new SyncOptions { CoalesceWindow = TimeSpan.Zero } };
        var (a, b) = Pair(net);
        var sent = new List<SyncMessage>();
        net.SyncTap = (from, to, message) => { sent.Add(message); return true; };

        a.Store<Status>().Local = new Status("idle", 50, [], 0);
        a.Store<Status>().Update(s => s! with { Battery = 40 });
        a.Store<Status>().Update(s => s! with { Text = "busy" });
        net.Run(Moment);

        Assert.IsType<SnapshotMessage>(sent[0]);
        Assert.Equal([(1UL, 2UL), (2UL, 3UL)], sent.Skip(1).Cast<DeltaMessage>().Select(d => (d.BaseSeq, d.Seq)));
        Assert.True(Slices.Same(new Status("busy", 40, [], 0), b.Store<Status>().Remotes["a"]));
    }

    [Fact]
    public void A_gap_makes_the_replica_request_a_snapshot_and_recover_before_any_digest()
    {
        SimulatedNetwork net = new(3) { Sync = new SyncOptions { CoalesceWindow = TimeSpan.Zero } };
        var (a, b) = Pair(net);
        a.Store<Status>().Local = new Status("idle", 1, [], 0);
        net.Run(Moment);
        var requests = new List<RequestMessage>();
        bool dropNextDelta = true;
        net.SyncTap = (from, to, message) =>
        {
            if (message is RequestMessage request)
            {
                requests.Add(request);
            }

            if (message is DeltaMessage && dropNextDelta)
            {
                dropNextDelta = false;
                return false;
            }

            return true;
        };

        a.Store<Status>().Update(s => s! with { Battery = 2 }); // lost
        a.Store<Status>().Update(s => s! with { Battery = 3 }); // arrives with a gap
        net.Run(Moment);

        Assert.Equal([new RequestMessage("sync-status", "a")], requests);
        Assert.Equal(3, b.Store<Status>().Remotes["a"].Battery);
        Assert.True(Moment < net.Sync.DigestInterval);
    }

    [Fact]
    public void Changes_within_the_coalescing_window_leave_as_one_delta_of_the_union_of_members()
    {
        SimulatedNetwork net = new(4) { Sync = new SyncOptions { CoalesceWindow = TimeSpan.FromMilliseconds(10) } };
        var (a, b) = Pair(net);
        a.Store<Status>().Local = new Status("idle", 1, [], 0);
        net.Run(Moment);
        var deltas = new List<DeltaMessage>();
        net.SyncTap = (from, to, message) => { if (message is DeltaMessage d) { deltas.Add(d); } return true; };

        a.Store<Status>().Update(s => s! with { Battery = 2 }); // leaves at once: the window since the last send passed
        a.Store<Status>().Update(s => s! with { Text = "busy" });
        a.Store<Status>().Update(s => s! with { Counter = 9 });
        a.Store<Status>().Update(s => s! with { Battery = 3 });
        Assert.Single(deltas);
        net.Run(Moment);

        Assert.Equal(2, deltas.Count);
        Assert.Equal(deltas[0].Seq, deltas[1].BaseSeq);
        Assert.Equal(3, deltas[1].Mask.Count); // text, battery, counter
        Assert.True(Slices.Same(new Status("busy", 3, [], 9), b.Store<Status>().Remotes["a"]));
    }

    [Fact]
    public void Changed_events_carry_the_device_id_the_changed_member_names_and_locality()
    {
        SimulatedNetwork net = new(5);
        var (a, b) = Pair(net);
        var local = new List<SliceChanged<Status>>();
        var remote = new List<SliceChanged<Status>>();
        a.Store<Status>().Changed += (_, e) => local.Add(e);
        b.Store<Status>().Changed += (_, e) => remote.Add(e);

        a.Store<Status>().Local = new Status("idle", 1, [], 0);
        net.Run(Moment);
        a.Store<Status>().Update(s => s! with { Battery = 7 });
        net.Run(Moment);

        string battery = Slices.MemberNames<Status>()[1];
        Assert.Equal([true, true], local.Select(e => e.IsLocal));
        Assert.All(local, e => Assert.Equal("a", e.DeviceId));
        Assert.Equal(2, remote.Count);
        Assert.All(remote, e => Assert.Equal("a", e.DeviceId));
        Assert.All(remote, e => Assert.False(e.IsLocal));
        Assert.Equal(Slices.MemberNames<Status>().ToArray(), remote[0].ChangedMembers.ToArray());
        Assert.Equal([battery], remote[1].ChangedMembers.ToArray());
        Assert.Equal([battery], local[1].ChangedMembers.ToArray());
        Assert.Equal(7, remote[1].Value!.Battery);
    }

    [Fact]
    public async Task ChangesAsync_yields_local_and_remote_changes_in_order()
    {
        SimulatedNetwork net = new(6);
        var (a, b) = Pair(net);
        await using IAsyncEnumerator<SliceChanged<Status>> changes = b.Store<Status>().ChangesAsync().GetAsyncEnumerator();

        b.Store<Status>().Local = new Status("mine", 1, [], 0);
        a.Store<Status>().Local = new Status("theirs", 2, [], 0);
        net.Run(Moment);

        Assert.True(await changes.MoveNextAsync().AsTask().WaitAsync(Support.Test.Timeout));
        Assert.Equal(("b", true, "mine"), (changes.Current.DeviceId, changes.Current.IsLocal, changes.Current.Value!.Text));
        Assert.True(await changes.MoveNextAsync().AsTask().WaitAsync(Support.Test.Timeout));
        Assert.Equal(("a", false, "theirs"), (changes.Current.DeviceId, changes.Current.IsLocal, changes.Current.Value!.Text));
        b.Stop();
        Assert.False(await changes.MoveNextAsync().AsTask().WaitAsync(Support.Test.Timeout)); // ends when sync stops
    }

    [Fact]
    public void Retiring_the_local_slice_removes_it_from_every_replica()
    {
        SimulatedNetwork net = new(7);
        var (a, b) = Pair(net);
        a.Store<Status>().Local = new Status("idle", 1, [], 0);
        net.Run(Moment);
        Assert.True(b.Store<Status>().Remotes.ContainsKey("a"));

        a.Store<Status>().Local = null;
        net.Run(Moment);

        Assert.False(b.Store<Status>().Remotes.ContainsKey("a"));
    }

    [Fact]
    public void A_device_that_joins_later_receives_existing_slices_and_one_opened_later_asks_for_them()
    {
        SimulatedNetwork net = new(8);
        SimNode a = Device(net, "a"), b = Device(net, "b");
        a.Start();
        a.Store<Status>().Local = new Status("early", 1, [], 0);
        a.Store<Cursor>().Local = new Cursor(1, 2);
        b.OnStart = node => node.Store<Status>();
        b.Start();
        net.WaitSettled();
        net.Run(Moment);
        Assert.Equal("early", b.Store<Status>().Remotes["a"].Text);

        Cursor opened = b.Store<Cursor>().Remotes.GetValueOrDefault("a") ?? new Cursor(0, 0); // not yet: a store is opened on first use
        net.Run(Moment);

        Assert.Equal(new Cursor(0, 0), opened);
        Assert.Equal(new Cursor(1, 2), b.Store<Cursor>().Remotes["a"]);
    }

    [Fact]
    public void A_graceful_stop_says_goodbye_and_peers_drop_the_slice_at_once()
    {
        SimulatedNetwork net = new(9);
        var (a, b) = Pair(net);
        a.Store<Status>().Local = new Status("idle", 1, [], 0);
        net.Run(Moment);

        a.Stop();
        net.Run(Moment);

        Assert.Empty(b.Store<Status>().Remotes);
    }

    [Fact]
    public void A_one_field_change_in_a_fifty_field_slice_sends_at_most_a_tenth_of_the_snapshot()
    {
        SimulatedNetwork net = new(10) { Sync = new SyncOptions { CoalesceWindow = TimeSpan.Zero } };
        var (a, b) = Pair(net);
        b.Store<Wide>();
        a.Store<Wide>();
        net.Run(Moment);
        var sizes = new List<(Type Kind, int Bytes)>();
        net.SyncTap = (from, to, message) =>
        {
            if (message is SnapshotMessage or DeltaMessage)
            {
                sizes.Add((message.GetType(), SyncMessageCodec.Encode(message).Length));
            }

            return true;
        };
        string[] f = [.. Enumerable.Range(0, 49).Select(i => $"value of field {i:00}")];
        var wide = new Wide(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14],
            f[15], f[16], f[17], f[18], f[19], f[20], f[21], f[22], f[23], f[24], f[25], f[26], f[27], f[28], f[29], f[30],
            f[31], f[32], f[33], f[34], f[35], f[36], f[37], f[38], f[39], f[40], f[41], f[42], f[43], f[44], f[45], f[46],
            f[47], f[48], Counter: 0);

        a.Store<Wide>().Local = wide;
        a.Store<Wide>().Local = wide with { Counter = 1 };
        net.Run(Moment);

        Assert.Equal([typeof(SnapshotMessage), typeof(DeltaMessage)], sizes.Select(s => s.Kind));
        Assert.True(sizes[1].Bytes * 10 <= sizes[0].Bytes, $"delta {sizes[1].Bytes} bytes, snapshot {sizes[0].Bytes} bytes");
        Assert.Equal(1, b.Store<Wide>().Remotes["a"].Counter);
    }

    /// <summary>Two running devices, connected, agreed on a primary, each with the status store open.</summary>
    private static (SimNode A, SimNode B) Pair(SimulatedNetwork net)
    {
        SimNode a = Device(net, "a"), b = Device(net, "b");
        a.OnStart = b.OnStart = node => node.Store<Status>();
        net.StartAndSettle();
        net.Run(Moment);
        return (a, b);
    }

    private static SimNode Device(SimulatedNetwork net, string id) => net.Add(new Truffle.Mesh.ElectionMember(id, PreferPrimary: false, Priority: 0));
}
