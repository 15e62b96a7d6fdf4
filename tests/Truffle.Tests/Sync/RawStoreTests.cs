using System.Buffers;
using Truffle.Sync;
using Truffle.Tests.Simulation;
using Truffle.Tests.Support;
using Xunit;
using Truffle.Wire;

namespace Truffle.Tests.Sync;

/// <summary><c>SyncEngine.RawStore</c>: a store replicated by id alone, as MessagePack maps, on a simulated network.</summary>
public sealed class RawStoreTests
{
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task A_raw_replica_applies_the_owners_snapshot_and_deltas_by_member_name_to_the_bytes_the_formatter_reads()
    {
        SimulatedNetwork net = new(21) { Sync = new SyncOptions { CoalesceWindow = TimeSpan.Zero } };
        var (a, b) = Pair(net);
        var sent = new List<SyncMessage>();
        net.SyncTap = (_, _, message) => { sent.Add(message); return true; };
        await using IAsyncEnumerator<RawSliceChanged> changes = b.Sync.RawStore("sync-status").ChangesAsync().GetAsyncEnumerator();

        a.Store<Status>().Local = new Status("idle", 50, ["x"], 1);
        a.Store<Status>().Update(s => s! with { Battery = 40 });
        net.Run(Moment);

        Assert.Contains(sent, m => m is DeltaMessage); // the second change really travelled as a delta
        RawSliceChanged first = await Next(changes), second = await Next(changes);
        Assert.Equal(["text", "battery", "tags", "counter"], first.ChangedMembers.ToArray());
        Assert.Equal(["battery"], second.ChangedMembers.ToArray());
        Assert.Equal("a", second.DeviceId);
        Assert.True(Slices.Same(new Status("idle", 40, ["x"], 1), Read(second.Value!.Value)));
        Assert.True(Slices.Same(new Status("idle", 40, ["x"], 1), Read(b.Sync.RawStore("sync-status").Remotes["a"])));
    }

    [Fact]
    public async Task A_raw_store_opened_late_asks_for_existing_slices_and_shows_a_retirement_and_a_goodbye_as_removals()
    {
        SimulatedNetwork net = new(22) { Sync = new SyncOptions { CoalesceWindow = TimeSpan.Zero } };
        var (a, b) = Pair(net);
        a.Store<Status>().Local = new Status("idle", 1, [], 0);
        net.Run(Moment);

        RawSyncedStore raw = b.Sync.RawStore("sync-status"); // after a's slice went out: only a request brings it
        await using IAsyncEnumerator<RawSliceChanged> changes = raw.ChangesAsync().GetAsyncEnumerator();
        net.Run(Moment);
        Assert.Equal(1, Read(raw.Remotes["a"]).Battery);
        Assert.Equal(1, Read((await Next(changes)).Value!.Value).Battery);

        a.Store<Status>().Local = null;
        net.Run(Moment);
        Assert.Null((await Next(changes)).Value);
        Assert.Empty(raw.Remotes);

        a.Store<Status>().Local = new Status("back", 2, [], 0);
        net.Run(Moment);
        Assert.Equal("back", Read((await Next(changes)).Value!.Value).Text);
        a.Stop();
        net.Run(Moment);
        Assert.Null((await Next(changes)).Value);
        Assert.Empty(raw.Remotes);
    }

    [Fact]
    public void A_slice_value_nested_too_deep_is_refused_and_counted_and_the_replica_keeps_what_it_had()
    {
        const string store = "sync-deep-probe"; // no other test writes it: the counter is this test's
        using var malformed = new SyncCounter(TruffleMetrics.Shared.Sync.Rejected, store, RejectReason.Malformed);
        SimulatedNetwork net = new(24);
        var (a, b) = Pair(net);
        RawSyncedStore raw = b.Sync.RawStore(store);
        ulong incarnation = a.Sync.Incarnation;
        int limit = TruffleSerializer.Options.Security.MaximumObjectGraphDepth;
        byte[] deep = [0x81, 0xA4, .. "text"u8, .. Enumerable.Repeat((byte)0x91, limit), 0x01];
        void Receive(SyncMessage message) => b.Sync.Receive("a", SyncMessageCodec.Encode(message));

        Receive(new SnapshotMessage(store, "a", incarnation, 1, MessagePack.MessagePackSerializer.ConvertFromJson("""{"text":"ok"}""")));
        Receive(new SnapshotMessage(store, "a", incarnation, 2, deep));
        Receive(new DeltaMessage(store, "a", incarnation, 1, 2, new MemberMask(0b1), deep));

        Assert.Equal(2, malformed.Total);
        Assert.Equal("""{"text":"ok"}""", MessagePack.MessagePackSerializer.ConvertToJson(raw.Remotes["a"]));
        Assert.Equal(1UL, raw.Slices["a"].Seq);

        // Nothing else was lost: the next delta in succession still applies.
        Receive(new DeltaMessage(store, "a", incarnation, 1, 2, new MemberMask(0b1), MessagePack.MessagePackSerializer.ConvertFromJson("""{"text":"still"}""")));
        Assert.Equal("""{"text":"still"}""", MessagePack.MessagePackSerializer.ConvertToJson(raw.Remotes["a"]));
        Assert.Equal(2, malformed.Total);
    }

    [Fact]
    public void Stores_other_devices_hold_are_announced_without_being_opened_up_to_a_bound()
    {
        SimulatedNetwork net = new(25) { Sync = new SyncOptions { CoalesceWindow = TimeSpan.Zero } };
        var (a, b) = Pair(net);
        Assert.DoesNotContain("sync-status", b.Sync.AnnouncedStores);

        a.Store<Status>().Local = new Status("idle", 1, [], 0); // b has no store of it: the snapshot names it
        net.Run(Moment);
        Assert.Equal(["sync-status"], b.Sync.AnnouncedStores);

        // A peer naming ever new stores fills the list to its bound and no further.
        DigestEntry[] many = [.. Enumerable.Range(0, SyncEngine.MaxAnnouncedStores + 50).Select(i => new DigestEntry($"noise-{i}", "a", a.Sync.Incarnation, 1))];
        b.Sync.Receive("a", SyncMessageCodec.Encode(new DigestMessage([.. many])));
        Assert.Equal(SyncEngine.MaxAnnouncedStores, b.Sync.AnnouncedStores.Count);
        Assert.Contains("sync-status", b.Sync.AnnouncedStores);
    }

    [Fact]
    public void A_store_id_is_opened_either_typed_or_raw_never_both()
    {
        SimulatedNetwork net = new(23);
        var (a, _) = Pair(net);

        Assert.Same(a.Sync.RawStore("sync-cursor"), a.Sync.RawStore("sync-cursor"));
        Assert.Contains("raw store", Assert.Throws<InvalidOperationException>(() => a.Store<Cursor>()).Message, StringComparison.Ordinal);
        Assert.Contains("typed store", Assert.Throws<InvalidOperationException>(() => a.Sync.RawStore("sync-status")).Message, StringComparison.Ordinal);
    }

    private static async Task<RawSliceChanged> Next(IAsyncEnumerator<RawSliceChanged> changes)
    {
        ValueTask<bool> next = changes.MoveNextAsync();
        Assert.True(next.IsCompleted, "no change was buffered"); // the simulation has run: a pending read is a missing change
        Assert.True(await next);
        return changes.Current;
    }

    private static Status Read(ReadOnlyMemory<byte> map) => ReadAs<Status>(map);

    private static T ReadAs<T>(ReadOnlyMemory<byte> map)
        where T : ITruffleSerializable<T> => TruffleSerializer.Deserialize(new ReadOnlySequence<byte>(map), T.Formatter)!;

    private static (SimNode A, SimNode B) Pair(SimulatedNetwork net)
    {
        SimNode a = net.Add(new Truffle.Mesh.ElectionMember("a", PreferPrimary: false, Priority: 0));
        SimNode b = net.Add(new Truffle.Mesh.ElectionMember("b", PreferPrimary: false, Priority: 0));
        a.OnStart = node => node.Store<Status>();
        net.StartAndSettle();
        net.Run(Moment);
        return (a, b);
    }
}
