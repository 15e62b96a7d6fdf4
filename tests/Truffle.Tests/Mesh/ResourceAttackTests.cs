using System.Buffers.Binary;
using System.Net.WebSockets;
using Truffle.Mesh;
using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;
using Truffle.Tests.Transport;
using Truffle.Transport;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>
/// The resource attacks of issue 10 against a real mesh: real devices, each with its own sidecar, and a rogue member
/// with a sidecar of its own that floods, stops reading, or sends malformed pings (SPEC §4 bounds, docs/security.md
/// "Resource bounds"). The deadlines are shortened so the tests stay fast; the rules are the same.
/// </summary>
[Collection(RealSidecar.Name)]
public sealed class ResourceAttackTests(SidecarBinary sidecar)
{
    private const int OneMiB = 1 << 20;
    private const int TransportLogCut = 4016;

    private static readonly TransportOptions Short = new()
    {
        SlowConsumerTimeout = TimeSpan.FromSeconds(1),
        SendQueueBytes = OneMiB,
    };

    [Fact]
    public async Task A_member_flooding_the_primary_with_megabyte_pings_and_never_reading_is_cut_while_the_others_keep_their_traffic_and_primary()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        var logs = new RecordingLogger();
        Traffic traffic = await StartThreeAsync(mesh, logs);
        TruffleNode primary = await SettledAsync(mesh);
        (string primaryId, ulong term) = (primary.DeviceId, primary.Term);
        long before = GC.GetTotalMemory(forceFullCollection: true);

        RogueDevice rogue = await mesh.StartRogueAsync(reads: false);
        await using (rogue)
        {
            RogueLink link = await rogue.AcceptedFromAsync(primary);
            Task cut = OfflineAsync(primary, rogue.Presenting);
            Task<int> flood = FloodAsync(rogue, link.Connection, primary.DeviceId, cut);

            // The members' broadcasts are relayed to the silent member too: its queue at the primary fills and stays
            // full, the primary pauses the sender until the silent member is cut, and then carries on.
            await traffic.UntilAsync(cut);
            await traffic.SendAsync(5);
            int pings = await flood.WaitAsync(Test.Timeout);
            await traffic.AllDeliveredAsync();
            long after = GC.GetTotalMemory(forceFullCollection: true);

            AssertCut(logs, rogue.Presenting, CloseCodes.SlowConsumer, CloseCodes.KeepAliveTimeout);
            Assert.All(mesh.Nodes, n => Assert.Equal((primaryId, term), (n.PrimaryId, n.Term)));
            // Generous, and process-wide (three nodes and parallel tests live here): each unanswered ping is garbage at
            // once; echoed and queued, 256 pongs of 1 MiB would hold 256 MiB.
            Assert.True(after - before < 160L * OneMiB, $"the heap grew by {(after - before) / OneMiB} MiB after {pings} pings of 1 MiB");
        }
    }

    [Fact]
    public async Task A_member_that_stops_reading_while_the_others_broadcast_through_the_primary_is_cut_as_a_slow_consumer_and_the_others_traffic_goes_on()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        var logs = new RecordingLogger();
        Traffic traffic = await StartThreeAsync(mesh, logs);
        TruffleNode primary = await SettledAsync(mesh);
        (string primaryId, ulong term) = (primary.DeviceId, primary.Term);

        RogueDevice rogue = await mesh.StartRogueAsync(reads: false);
        await using (rogue)
        {
            await rogue.AcceptedFromAsync(primary);
            Task cut = OfflineAsync(primary, rogue.Presenting);

            await traffic.UntilAsync(cut);
            await traffic.SendAsync(5);
            await traffic.AllDeliveredAsync();

            // Cut by the watchdog for a queue over its bound for SlowConsumerTimeout (or, at once, for one at
            // MaxQueuedBytes): both are the slow-consumer rule, 4005.
            AssertCut(logs, rogue.Presenting, CloseCodes.SlowConsumer);
            Assert.All(mesh.Nodes, n => Assert.Equal((primaryId, term), (n.PrimaryId, n.Term)));
        }
    }

    [Fact]
    public async Task A_mesh_ping_whose_stamp_is_not_8_bytes_is_not_echoed_and_is_counted_as_rejected()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        await StartThreeAsync(mesh, new RecordingLogger());
        TruffleNode primary = await mesh.OnePrimaryAsync();
        using var rejected = new TagRecorder(TruffleMetrics.Shared.Mesh.Rejected, "reason", "control");

        RogueDevice rogue = await mesh.StartRogueAsync();
        await using (rogue)
        {
            RogueLink link = await rogue.AcceptedFromAsync(primary);
            ulong sequence = 1;
            foreach (int length in new[] { 0, 7, 9, 64 << 10 })
            {
                await link.Connection.SendAsync(RogueDevice.Control(rogue.Presenting, primary.DeviceId, "ping", sequence++, new byte[length]), default);
            }

            byte[] stamp = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(stamp, 0x5EED);
            await link.Connection.SendAsync(RogueDevice.Control(rogue.Presenting, primary.DeviceId, "ping", sequence, stamp), default);

            // Answers leave in the order the pings arrived on one connection: the first pong is the 8-byte ping's.
            Envelope pong = await NextPongAsync(link.Received);
            Assert.Equal(stamp, pong.Payload.ToArray());
            await rejected.WaitForAsync(4);
        }
    }

    /// <summary>
    /// One primary that every other node follows as secondary in its term. Stricter than
    /// <see cref="LoopbackMesh.OnePrimaryAsync"/>: while forming, a primary whose members are still asking each other
    /// whom they support may step down and win the next term, which is not the attack's doing.
    /// </summary>
    private static async Task<TruffleNode> SettledAsync(LoopbackMesh mesh)
    {
        TruffleNode primary = await mesh.OnePrimaryAsync();
        return await mesh.UntilAsync(() =>
            primary.Role == MeshRole.Primary
            && mesh.Nodes.All(n => n.PrimaryId == primary.DeviceId && n.Term == primary.Term && (n == primary || n.Role == MeshRole.Secondary))
                ? primary
                : null);
    }

    private static async Task<Envelope> NextPongAsync(RecordingHandler received)
    {
        while (true)
        {
            Envelope envelope = await received.NextAsync();
            if (envelope.Kind == EnvelopeKind.Control && envelope.Type == "pong")
            {
                return envelope;
            }
        }
    }

    /// <summary>Sends 256 pings of (nearly) 1 MiB until <paramref name="stop"/>; returns how many were sent.</summary>
    private static async Task<int> FloodAsync(RogueDevice rogue, PeerConnection connection, string primary, Task stop)
    {
        using var stopping = new CancellationTokenSource();
        _ = stop.ContinueWith(_ => stopping.Cancel(), TaskScheduler.Default);
        byte[] payload = new byte[OneMiB - 1024];
        int sent = 0;
        try
        {
            for (; sent < 256; sent++)
            {
                await connection.SendAsync(RogueDevice.Control(rogue.Presenting, primary, "ping", (ulong)sent + 1, payload), stopping.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Cut: the rest of the flood has nowhere to go.
        }

        return sent;
    }

    private static Task OfflineAsync(TruffleNode node, string deviceId)
    {
        TaskCompletionSource offline = Test.NewSignal();
        node.DeviceOffline += (_, device) =>
        {
            if (device.Id == deviceId)
            {
                offline.TrySetResult();
            }
        };
        return offline.Task;
    }

    private static void AssertCut(RecordingLogger logs, string deviceId, params int[] codes)
    {
        RecordingLogger.Entry[] cuts = [.. logs.Entries.Where(e => e.EventId == TransportLogCut && e.Message.Contains(deviceId, StringComparison.Ordinal))];
        Assert.NotEmpty(cuts);
        Assert.Contains(cuts, e => codes.Any(code => e.Message.Contains($"cut ({code})", StringComparison.Ordinal)));
    }

    private static async Task<Traffic> StartThreeAsync(LoopbackMesh mesh, RecordingLogger logs)
    {
        var traffic = new Traffic(mesh);
        foreach (string name in new[] { "alpha", "beta", "gamma" })
        {
            traffic.Add(await mesh.StartAsync(name, o => o with { Transport = Short, LoggerFactory = logs.CreateFactory() }));
        }

        return traffic;
    }
}
