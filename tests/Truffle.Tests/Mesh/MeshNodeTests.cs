using System.Collections.Concurrent;
using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>Several nodes in this process, each with its own real sidecar, on a loopback network.</summary>
[Collection(RealSidecar.Name)]
public sealed class MeshNodeTests(SidecarBinary sidecar)
{
    [Fact]
    public async Task Three_nodes_form_a_mesh_and_elect_one_primary()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        await mesh.StartAsync("one");
        await mesh.StartAsync("two");
        await mesh.StartAsync("three");

        TruffleNode primary = await mesh.OnePrimaryAsync();

        Assert.All(mesh.Nodes.Where(n => n != primary), n => Assert.Equal(MeshRole.Secondary, n.Role));
        Assert.All(mesh.Nodes, n => Assert.Equal(primary.Term, n.Term));
        Assert.All(mesh.Nodes.Where(n => n != primary), n => Assert.Contains(n.Devices, d => d.Id == primary.DeviceId && d.Role == MeshRole.Primary));
    }

    [Fact]
    public async Task Secondary_to_secondary_message_is_relayed_by_the_primary_with_the_original_sender()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        await mesh.StartAsync("a");
        await mesh.StartAsync("b");
        await mesh.StartAsync("c");
        TruffleNode primary = await mesh.OnePrimaryAsync();
        TruffleNode[] secondaries = [.. mesh.Nodes.Where(n => n != primary)];
        var received = Test.NewSignal<(Shout Message, MessageContext Context)>();
        secondaries[1].Bus.Meshtest.On<Shout>((message, context) => received.TrySetResult((message, context)));
        using var relayed = new MetricRecorder(Truffle.Wire.TruffleMetrics.Shared.Mesh.Relayed, messageNamespace: null);

        await secondaries[0].Bus.Meshtest.Send(secondaries[1].DeviceId, new Shout("psst", 7));

        var (message, context) = await received.Task.WaitAsync(Test.Timeout);
        Assert.Equal(new Shout("psst", 7), message);
        Assert.Equal(secondaries[0].DeviceId, context.From);
        Assert.False(context.IsBroadcast);
        Assert.True(relayed.Total >= 1, "the primary relayed nothing");
    }

    [Fact]
    public async Task Broadcasts_reach_every_other_device_once_in_one_order()
    {
        const int PerSender = 200;
        await using var mesh = new LoopbackMesh(sidecar);
        foreach (string name in new[] { "p", "q", "r", "s" })
        {
            await mesh.StartAsync(name);
        }

        await mesh.OnePrimaryAsync();
        var seen = mesh.Nodes.ToDictionary(n => n.DeviceId, _ => new ConcurrentQueue<string>());
        var done = Test.NewSignal();
        int expected = 2 * PerSender * (mesh.Nodes.Count - 1);
        int total = 0;
        foreach (TruffleNode node in mesh.Nodes)
        {
            node.Bus.Meshtest.On<Shout>((message, context) =>
            {
                seen[node.DeviceId].Enqueue($"{context.From}:{message.Number}");
                if (Interlocked.Increment(ref total) == expected)
                {
                    done.TrySetResult();
                }
            });
        }

        TruffleNode[] senders = [.. mesh.Nodes.Where(n => n.Role == MeshRole.Secondary).Take(2)];
        await Task.WhenAll(senders.Select(sender => Task.Run(async () =>
        {
            for (int i = 0; i < PerSender; i++)
            {
                await sender.Bus.Meshtest.Broadcast(new Shout("hello", i));
            }
        })));

        await done.Task.WaitAsync(Test.Timeout);
        foreach (TruffleNode sender in senders)
        {
            Assert.DoesNotContain(seen[sender.DeviceId], entry => entry.StartsWith(sender.DeviceId, StringComparison.Ordinal));
        }

        // The two devices that receive both senders' broadcasts see them interleaved the same way.
        string[][] both = [.. mesh.Nodes.Where(n => !senders.Contains(n)).Select(n => seen[n.DeviceId].ToArray())];
        Assert.Equal(2 * PerSender, both[0].Length);
        Assert.Equal(both[0], both[1]);
        foreach (TruffleNode sender in senders)
        {
            int[] numbers = [.. both[0].Where(e => e.StartsWith(sender.DeviceId, StringComparison.Ordinal)).Select(e => int.Parse(e.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))];
            Assert.Equal(Enumerable.Range(0, PerSender), numbers);
        }
    }

    [Fact]
    public async Task Request_gets_the_reply_no_responder_or_the_remote_error()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        TruffleNode asker = await mesh.StartAsync("asker");
        TruffleNode answerer = await mesh.StartAsync("answerer");
        await mesh.OnePrimaryAsync();
        answerer.Bus.Meshtest.Handle((WhoAreYou question, MessageContext context) =>
            question.Question == "fail" ? throw new InvalidOperationException("no thanks") : new IAm(answerer.DeviceId, context.From));

        IAm reply = await asker.Bus.Meshtest.Request(answerer.DeviceId, new WhoAreYou("who?"), Test.Timeout);
        var remote = await Assert.ThrowsAsync<RemoteHandlerException>(
            async () => await asker.Bus.Meshtest.Request(answerer.DeviceId, new WhoAreYou("fail"), Test.Timeout));
        var nobody = await Assert.ThrowsAsync<NoResponderException>(
            async () => await asker.Bus.Meshtest.Request(answerer.DeviceId, new Unanswered(1), Test.Timeout));

        Assert.Equal(new IAm(answerer.DeviceId, asker.DeviceId), reply);
        Assert.Equal(typeof(InvalidOperationException).FullName, remote.RemoteExceptionType);
        Assert.Equal("no thanks", remote.RemoteMessage);
        Assert.Equal(answerer.DeviceId, nobody.DeviceId);
    }

    [Fact]
    public async Task A_payload_or_reply_that_does_not_fit_in_a_message_fails_at_once_with_a_clear_error()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        TruffleNode asker = await mesh.StartAsync("big-asker");
        TruffleNode answerer = await mesh.StartAsync("big-answerer");
        await mesh.OnePrimaryAsync();
        byte[] tooLarge = new byte[(1 << 20) + 1];
        answerer.Bus.Handle("bulk", "get", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(tooLarge));

        var send = await Assert.ThrowsAsync<ArgumentException>(() => asker.Bus.SendAsync(answerer.DeviceId, "bulk", "put", tooLarge).AsTask());
        var broadcast = await Assert.ThrowsAsync<ArgumentException>(() => asker.Bus.BroadcastAsync("bulk", "put", tooLarge).AsTask());
        var reply = await Assert.ThrowsAsync<RemoteHandlerException>(
            () => asker.Bus.RequestAsync(answerer.DeviceId, "bulk", "get", ReadOnlyMemory<byte>.Empty, Test.Timeout).AsTask());

        Assert.Contains("1,048,577 bytes", send.Message, StringComparison.Ordinal);
        Assert.Contains("1,048,577 bytes", broadcast.Message, StringComparison.Ordinal);
        Assert.Contains("The reply is 1,048,577 bytes", reply.RemoteMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Round_trip_times_are_measured_per_peer_as_soon_as_two_nodes_connect()
    {
        using var roundTrips = new HistogramRecorder(Truffle.Wire.TruffleMetrics.Shared.Mesh.RoundTrip.Name);
        await using var mesh = new LoopbackMesh(sidecar);
        TruffleNode first = await mesh.StartAsync("ping");
        TruffleNode second = await mesh.StartAsync("pong");
        await mesh.OnePrimaryAsync();

        double milliseconds = await roundTrips.FirstForPeerAsync(second.DeviceId);

        Assert.InRange(milliseconds, 0, 10_000);
        Assert.NotEqual(first.DeviceId, second.DeviceId);
    }

    [Fact]
    public async Task Send_to_an_unknown_device_fails_as_unreachable()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        TruffleNode alone = await mesh.StartAsync("alone");
        await mesh.OnePrimaryAsync();

        var error = await Assert.ThrowsAsync<DeviceUnreachableException>(async () => await alone.Bus.Meshtest.Send("nobody", new Shout("?", 0)));

        Assert.Equal("nobody", error.DeviceId);
        Assert.Equal(MeshRole.Primary, alone.Role);
    }

    [Fact]
    public async Task Primary_that_leaves_is_replaced_by_a_survivor()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        await mesh.StartAsync("first");
        await mesh.StartAsync("second");
        await mesh.StartAsync("third");
        TruffleNode primary = await mesh.OnePrimaryAsync();
        ulong term = primary.Term;

        await mesh.StopAsync(primary);
        TruffleNode successor = await mesh.OnePrimaryAsync();

        Assert.NotEqual(primary.DeviceId, successor.DeviceId);
        Assert.True(successor.Term > term, $"term {successor.Term} after {term}");
    }

    [Fact]
    public async Task Node_of_another_app_is_refused()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        TruffleNode ours = await mesh.StartAsync("ours");
        // Its hostname starts with "meshtest-", so discovery lets it through: the hello's app id must stop it.
        using var rejected = new MetricRecorder(Truffle.Wire.TruffleMetrics.Shared.HandshakeRejected, messageNamespace: null);
        await using TruffleNode theirs = await TruffleNode.StartAsync(mesh.Options("theirs") with { AppId = "meshtest-other" }).WaitAsync(Test.Timeout);

        await rejected.WaitForAsync(atLeast: 1);

        Assert.DoesNotContain(ours.Devices, d => d.Id == theirs.DeviceId);
        Assert.DoesNotContain(theirs.Devices, d => d.Id == ours.DeviceId);
    }
}
