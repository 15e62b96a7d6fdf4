using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Messaging;

/// <summary>Pub/sub semantics of <see cref="MessageBus"/>, the same on an in-process hub and on a real mesh.</summary>
[Collection(BusEndpoints.Name)]
public sealed class BusTests(SharedMesh mesh)
{
    private static readonly byte[] s_hello = [1, 2, 3];

    private readonly string _ns = Test.UniqueNamespace();

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Send_delivers_to_the_target_device_only(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        var (atB, atC) = (new Inbox(), new Inbox());
        using var b = d.B.Subscribe(_ns, null, atB.Handler);
        using var c = d.C.Subscribe(_ns, null, atC.Handler);

        await d.A.SendAsync(d.B.LocalDeviceId, _ns, "hello", s_hello);
        await d.A.SendAsync(d.C.LocalDeviceId, _ns, "sentinel", ReadOnlyMemory<byte>.Empty);

        InboundMessage received = await atB.NextAsync();
        Assert.Equal((d.A.LocalDeviceId, _ns, "hello", false), (received.From, received.Namespace, received.Type, received.IsBroadcast));
        Assert.Equal(s_hello, received.Payload.ToArray());
        Assert.Equal("sentinel", (await atC.NextAsync()).Type);
        Assert.False(atB.TryTake(out _));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Send_to_self_is_delivered_locally(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        var atA = new Inbox();
        using var a = d.A.Subscribe(_ns, null, atA.Handler);

        await d.A.SendAsync(d.A.LocalDeviceId, _ns, "note", s_hello);

        InboundMessage received = await atA.NextAsync();
        Assert.Equal((d.A.LocalDeviceId, "note", false), (received.From, received.Type, received.IsBroadcast));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Broadcast_reaches_every_other_device(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        var (atB, atC) = (new Inbox(), new Inbox());
        using var b = d.B.Subscribe(_ns, null, atB.Handler);
        using var c = d.C.Subscribe(_ns, null, atC.Handler);

        await d.A.BroadcastAsync(_ns, "news", s_hello);

        foreach (Inbox inbox in new[] { atB, atC })
        {
            InboundMessage received = await inbox.NextAsync();
            Assert.Equal((d.A.LocalDeviceId, "news", true), (received.From, received.Type, received.IsBroadcast));
            Assert.Equal(s_hello, received.Payload.ToArray());
        }
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Broadcast_is_not_delivered_back_to_its_sender(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        var (atA, atB) = (new Inbox(), new Inbox());
        using var a = d.A.Subscribe(_ns, null, atA.Handler);
        using var b = d.B.Subscribe(_ns, null, atB.Handler);

        await d.A.BroadcastAsync(_ns, "news", s_hello);
        Assert.Equal("news", (await atB.NextAsync()).Type);
        await d.B.SendAsync(d.A.LocalDeviceId, _ns, "sentinel", ReadOnlyMemory<byte>.Empty);

        // All traffic of a mesh passes its one order (the primary's, or the hub's): an echo of the broadcast, queued
        // before B saw it, would arrive before the sentinel B sent afterwards.
        Assert.Equal("sentinel", (await atA.NextAsync()).Type);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Send_to_an_unknown_device_throws_and_sends_nothing(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        var atB = new Inbox();
        using var b = d.B.Subscribe(_ns, null, atB.Handler);

        var error = await Assert.ThrowsAsync<DeviceUnreachableException>(() => d.A.SendAsync("nobody", _ns, "lost", s_hello).AsTask());
        await d.A.SendAsync(d.B.LocalDeviceId, _ns, "sentinel", ReadOnlyMemory<byte>.Empty);

        Assert.Equal("nobody", error.DeviceId);
        Assert.Equal("sentinel", (await atB.NextAsync()).Type);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Each_receiver_sees_one_senders_messages_in_send_order(Endpoint endpoint)
    {
        const int Count = 1000;
        await using Devices d = mesh.Open(endpoint);
        var atB = new Inbox();
        using var b = d.B.Subscribe(_ns, null, atB.Handler, new SubscriptionOptions { Capacity = Count });

        for (int i = 0; i < Count; i++)
        {
            byte[] payload = BitConverter.GetBytes(i);
            await (i % 2 == 0 ? d.A.SendAsync(d.B.LocalDeviceId, _ns, "n", payload) : d.A.BroadcastAsync(_ns, "n", payload));
        }

        for (int i = 0; i < Count; i++)
        {
            InboundMessage received = await atB.NextAsync();
            Assert.Equal(i, Test.Sequence(received));
            Assert.Equal(i % 2 == 1, received.IsBroadcast);
        }
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Type_filter_receives_one_type_and_a_null_type_receives_the_whole_namespace(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        string otherNs = Test.UniqueNamespace();
        var (typed, wide, other) = (new Inbox(), new Inbox(), new Inbox());
        using var s1 = d.B.Subscribe(_ns, "wanted", typed.Handler);
        using var s2 = d.B.Subscribe(_ns, null, wide.Handler);
        using var s3 = d.B.Subscribe(otherNs, null, other.Handler);

        await d.A.SendAsync(d.B.LocalDeviceId, _ns, "unwanted", s_hello);
        await d.A.SendAsync(d.B.LocalDeviceId, _ns, "wanted", s_hello);
        await d.A.SendAsync(d.B.LocalDeviceId, otherNs, "sentinel", s_hello);

        Assert.Equal("wanted", (await typed.NextAsync()).Type);
        Assert.Equal("unwanted", (await wide.NextAsync()).Type);
        Assert.Equal("wanted", (await wide.NextAsync()).Type);
        Assert.Equal("sentinel", (await other.NextAsync()).Type);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Disposed_subscription_receives_nothing_more(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        var (gone, witness) = (new Inbox(), new Inbox());
        IDisposable subscription = d.B.Subscribe(_ns, null, gone.Handler);
        using var w = d.B.Subscribe(_ns, null, witness.Handler);

        subscription.Dispose();
        subscription.Dispose();
        await d.A.SendAsync(d.B.LocalDeviceId, _ns, "first", s_hello);
        await d.A.SendAsync(d.B.LocalDeviceId, _ns, "second", s_hello);

        Assert.Equal("first", (await witness.NextAsync()).Type);
        Assert.Equal("second", (await witness.NextAsync()).Type);
        Assert.False(gone.TryTake(out _));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Payload_is_copied_before_send_returns(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        var atB = new Inbox();
        var release = Test.NewSignal();
        using var b = d.B.Subscribe(_ns, null, async (message, ct) =>
        {
            await release.Task.WaitAsync(ct);
            await atB.Handler(message, ct);
        });
        byte[] buffer = [1, 2, 3];

        await d.A.SendAsync(d.B.LocalDeviceId, _ns, "copy", buffer);
        buffer.AsSpan().Fill(9);
        release.SetResult();

        Assert.Equal(new byte[] { 1, 2, 3 }, (await atB.NextAsync()).Payload.ToArray());
    }

    [Theory]
    [InlineData(Endpoint.InProcess, "truffle")]
    [InlineData(Endpoint.InProcess, "mesh")]
    [InlineData(Endpoint.InProcess, "sync")]
    [InlineData(Endpoint.Mesh, "truffle")]
    [InlineData(Endpoint.Mesh, "mesh")]
    [InlineData(Endpoint.Mesh, "sync")]
    public async Task Reserved_namespaces_are_refused_by_every_call(Endpoint endpoint, string reserved)
    {
        await using Devices d = mesh.Open(endpoint);
        static ValueTask<ReadOnlyMemory<byte>> Reply(InboundMessage m, CancellationToken ct) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        string to = d.B.LocalDeviceId;

        await Assert.ThrowsAsync<ArgumentException>(() => d.A.SendAsync(to, reserved, "t", s_hello).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => d.A.BroadcastAsync(reserved, "t", s_hello).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => d.A.RequestAsync(to, reserved, "t", s_hello, Test.Timeout).AsTask());
        Assert.Throws<ArgumentException>(() => d.A.Subscribe(reserved, null, (_, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentException>(() => d.A.Handle(reserved, "t", Reply));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Send_does_not_run_the_handler_on_the_senders_stack(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        var ranOnSendersStack = Test.NewSignal<bool>();
        using var a = d.A.Subscribe(_ns, null, (_, _) =>
        {
            ranOnSendersStack.TrySetResult(SendingMarker.IsSet);
            return ValueTask.CompletedTask;
        });

        Task send;
        SendingMarker.IsSet = true;
        try
        {
            send = d.A.SendAsync(d.A.LocalDeviceId, _ns, "inline?", s_hello).AsTask();
        }
        finally
        {
            SendingMarker.IsSet = false;
        }

        await send;
        Assert.False(await ranOnSendersStack.Task.WaitAsync(Test.Timeout));
    }

    private static class SendingMarker
    {
        [ThreadStatic]
        public static bool IsSet;
    }
}
