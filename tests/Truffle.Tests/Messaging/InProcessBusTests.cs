using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Messaging;

public sealed class InProcessBusTests : IAsyncDisposable
{
    private static readonly byte[] s_hello = [1, 2, 3];

    private readonly string _ns = Test.UniqueNamespace();
    private readonly InProcessNetwork _network = new();
    private readonly InProcessBus _a;
    private readonly InProcessBus _b;
    private readonly InProcessBus _c;

    public InProcessBusTests()
    {
        _a = _network.Connect("a");
        _b = _network.Connect("b");
        _c = _network.Connect("c");
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _c.DisposeAsync();
    }

    [Fact]
    public async Task Send_delivers_to_the_target_device_only()
    {
        var (atB, atC) = (new Inbox(), new Inbox());
        using var b = _b.Subscribe(_ns, null, atB.Handler);
        using var c = _c.Subscribe(_ns, null, atC.Handler);

        await _a.SendAsync("b", _ns, "hello", s_hello);
        await _a.SendAsync("c", _ns, "sentinel", ReadOnlyMemory<byte>.Empty);

        InboundMessage received = await atB.NextAsync();
        Assert.Equal(("a", _ns, "hello", false), (received.From, received.Namespace, received.Type, received.IsBroadcast));
        Assert.Equal(s_hello, received.Payload.ToArray());
        Assert.Equal("sentinel", (await atC.NextAsync()).Type);
    }

    [Fact]
    public async Task Send_to_self_is_delivered_locally()
    {
        var atA = new Inbox();
        using var a = _a.Subscribe(_ns, null, atA.Handler);

        await _a.SendAsync("a", _ns, "note", s_hello);

        InboundMessage received = await atA.NextAsync();
        Assert.Equal(("a", "note", false), (received.From, received.Type, received.IsBroadcast));
    }

    [Fact]
    public async Task Broadcast_reaches_every_other_device()
    {
        var (atB, atC) = (new Inbox(), new Inbox());
        using var b = _b.Subscribe(_ns, null, atB.Handler);
        using var c = _c.Subscribe(_ns, null, atC.Handler);

        await _a.BroadcastAsync(_ns, "news", s_hello);

        foreach (Inbox inbox in new[] { atB, atC })
        {
            InboundMessage received = await inbox.NextAsync();
            Assert.Equal(("a", "news", true), (received.From, received.Type, received.IsBroadcast));
            Assert.Equal(s_hello, received.Payload.ToArray());
        }
    }

    [Fact]
    public async Task Broadcast_is_not_delivered_back_to_its_sender()
    {
        var atA = new Inbox();
        using var a = _a.Subscribe(_ns, null, atA.Handler);

        await _a.BroadcastAsync(_ns, "news", s_hello);
        await _a.SendAsync("a", _ns, "sentinel", ReadOnlyMemory<byte>.Empty);

        // Delivery is in order, so an echoed broadcast would arrive before the sentinel.
        Assert.Equal("sentinel", (await atA.NextAsync()).Type);
    }

    [Fact]
    public async Task Send_to_an_unknown_device_throws_and_sends_nothing()
    {
        var atB = new Inbox();
        using var b = _b.Subscribe(_ns, null, atB.Handler);

        var error = await Assert.ThrowsAsync<DeviceUnreachableException>(() => _a.SendAsync("nobody", _ns, "lost", s_hello).AsTask());
        await _a.SendAsync("b", _ns, "sentinel", ReadOnlyMemory<byte>.Empty);

        Assert.Equal("nobody", error.DeviceId);
        Assert.Equal("sentinel", (await atB.NextAsync()).Type);
    }

    [Fact]
    public async Task Each_receiver_sees_one_senders_messages_in_send_order()
    {
        const int Count = 1000;
        var atB = new Inbox();
        using var b = _b.Subscribe(_ns, null, atB.Handler, new SubscriptionOptions { Capacity = Count });

        for (int i = 0; i < Count; i++)
        {
            byte[] payload = BitConverter.GetBytes(i);
            await (i % 2 == 0 ? _a.SendAsync("b", _ns, "n", payload) : _a.BroadcastAsync(_ns, "n", payload));
        }

        for (int i = 0; i < Count; i++)
        {
            InboundMessage received = await atB.NextAsync();
            Assert.Equal(i, Test.Sequence(received));
            Assert.Equal(i % 2 == 1, received.IsBroadcast);
        }
    }

    [Fact]
    public async Task Type_filter_receives_one_type_and_a_null_type_receives_the_whole_namespace()
    {
        string otherNs = Test.UniqueNamespace();
        var (typed, wide, other) = (new Inbox(), new Inbox(), new Inbox());
        using var s1 = _b.Subscribe(_ns, "wanted", typed.Handler);
        using var s2 = _b.Subscribe(_ns, null, wide.Handler);
        using var s3 = _b.Subscribe(otherNs, null, other.Handler);

        await _a.SendAsync("b", _ns, "unwanted", s_hello);
        await _a.SendAsync("b", _ns, "wanted", s_hello);
        await _a.SendAsync("b", otherNs, "sentinel", s_hello);

        Assert.Equal("wanted", (await typed.NextAsync()).Type);
        Assert.Equal("unwanted", (await wide.NextAsync()).Type);
        Assert.Equal("wanted", (await wide.NextAsync()).Type);
        Assert.Equal("sentinel", (await other.NextAsync()).Type);
    }

    [Fact]
    public async Task Disposed_subscription_receives_nothing_more()
    {
        var (gone, witness) = (new Inbox(), new Inbox());
        IDisposable subscription = _b.Subscribe(_ns, null, gone.Handler);
        using var w = _b.Subscribe(_ns, null, witness.Handler);

        subscription.Dispose();
        subscription.Dispose();
        await _a.SendAsync("b", _ns, "first", s_hello);
        await _a.SendAsync("b", _ns, "second", s_hello);

        Assert.Equal("first", (await witness.NextAsync()).Type);
        Assert.Equal("second", (await witness.NextAsync()).Type);
        Assert.False(gone.TryTake(out _));
    }

    [Fact]
    public async Task Payload_is_copied_before_send_returns()
    {
        var atB = new Inbox();
        var release = Test.NewSignal();
        using var b = _b.Subscribe(_ns, null, async (message, ct) =>
        {
            await release.Task.WaitAsync(ct);
            await atB.Handler(message, ct);
        });
        byte[] buffer = [1, 2, 3];

        await _a.SendAsync("b", _ns, "copy", buffer);
        buffer.AsSpan().Fill(9);
        release.SetResult();

        Assert.Equal(new byte[] { 1, 2, 3 }, (await atB.NextAsync()).Payload.ToArray());
    }

    [Fact]
    public async Task Reserved_namespaces_are_allowed_at_this_layer()
    {
        var atB = new Inbox();
        using var b = _b.Subscribe("mesh", "ping", atB.Handler);

        await _a.SendAsync("b", "mesh", "ping", s_hello);

        Assert.Equal("mesh", (await atB.NextAsync()).Namespace);
    }

    [Fact]
    public async Task Send_does_not_run_the_handler_on_the_senders_stack()
    {
        var ranOnSendersStack = Test.NewSignal<bool>();
        using var a = _a.Subscribe(_ns, null, (_, _) =>
        {
            ranOnSendersStack.TrySetResult(SendingMarker.IsSet);
            return ValueTask.CompletedTask;
        });

        Task send;
        SendingMarker.IsSet = true;
        try
        {
            send = _a.SendAsync("a", _ns, "inline?", s_hello).AsTask();
        }
        finally
        {
            SendingMarker.IsSet = false;
        }

        await send;
        Assert.False(await ranOnSendersStack.Task.WaitAsync(Test.Timeout));
    }

    [Fact]
    public async Task Disposed_bus_disconnects_its_device_and_the_id_can_connect_again()
    {
        await _c.DisposeAsync();

        Assert.False(_network.IsConnected("c"));
        await Assert.ThrowsAsync<DeviceUnreachableException>(() => _a.SendAsync("c", _ns, "x", s_hello).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _c.BroadcastAsync(_ns, "x", s_hello).AsTask());
        Assert.Throws<ObjectDisposedException>(() => _c.Subscribe(_ns, null, (_, _) => ValueTask.CompletedTask));

        await using InProcessBus again = _network.Connect("c");
        var atC = new Inbox();
        using var c = again.Subscribe(_ns, null, atC.Handler);
        await _a.SendAsync("c", _ns, "welcome-back", s_hello);
        Assert.Equal("welcome-back", (await atC.NextAsync()).Type);
    }

    [Fact]
    public void Connecting_an_id_that_is_already_connected_throws()
    {
        Assert.Throws<InvalidOperationException>(() => _network.Connect("a"));
        Assert.Throws<ArgumentException>(() => _network.Connect(""));
    }

    private static class SendingMarker
    {
        [ThreadStatic]
        public static bool IsSet;
    }
}
