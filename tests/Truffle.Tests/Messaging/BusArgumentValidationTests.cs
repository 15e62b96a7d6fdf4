using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Messaging;

public sealed class BusArgumentValidationTests : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly InProcessNetwork _network = new();
    private readonly InProcessBus _bus;

    public BusArgumentValidationTests() => _bus = _network.Connect("me");

    public static TheoryData<string> InvalidNames => new()
    {
        string.Empty,
        new string('n', 129),
        new string('é', 65), // 65 characters, but 130 UTF-8 bytes.
    };

    public ValueTask DisposeAsync() => _bus.DisposeAsync();

    [Fact]
    public async Task Names_of_128_utf8_bytes_are_accepted()
    {
        string longest = new('é', 64);
        var inbox = new Inbox();
        using var subscription = _bus.Subscribe(longest, longest, inbox.Handler);

        await _bus.SendAsync("me", longest, longest, ReadOnlyMemory<byte>.Empty);

        Assert.Equal(longest, (await inbox.NextAsync()).Type);
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Invalid_namespace_or_type_is_rejected_by_every_operation(string name)
    {
        static ValueTask<ReadOnlyMemory<byte>> Reply(InboundMessage m, CancellationToken ct) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);

        await Assert.ThrowsAsync<ArgumentException>(() => _bus.SendAsync("me", name, "t", ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.SendAsync("me", "ns", name, ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.BroadcastAsync(name, "t", ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.BroadcastAsync("ns", name, ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.RequestAsync("me", name, "t", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.RequestAsync("me", "ns", name, ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());
        Assert.Throws<ArgumentException>(() => _bus.Subscribe(name, null, (_, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentException>(() => _bus.Subscribe("ns", name, (_, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentException>(() => _bus.Handle(name, "t", Reply));
        Assert.Throws<ArgumentException>(() => _bus.Handle("ns", name, Reply));
    }

    [Fact]
    public async Task A_payload_or_reply_over_one_message_is_rejected_and_one_of_exactly_the_limit_is_delivered()
    {
        var inbox = new Inbox();
        using var subscription = _bus.Subscribe("ns", null, inbox.Handler);
        byte[] limit = new byte[1 << 20], over = new byte[(1 << 20) + 1];

        await Assert.ThrowsAsync<ArgumentException>(() => _bus.SendAsync("me", "ns", "t", over).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.BroadcastAsync("ns", "t", over).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.RequestAsync("me", "ns", "t", over, s_timeout).AsTask());
        await _bus.SendAsync("me", "ns", "t", limit);
        using IDisposable handler = _bus.Handle("ns", "big", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(over));
        var reply = await Assert.ThrowsAsync<RemoteHandlerException>(() => _bus.RequestAsync("me", "ns", "big", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());

        Assert.Equal(limit.Length, (await inbox.NextAsync()).Payload.Length);
        Assert.Contains("The reply is 1,048,577 bytes", reply.RemoteMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_arguments_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => _bus.Subscribe(null!, null, (_, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => _bus.Subscribe("ns", null, null!));
        Assert.Throws<ArgumentNullException>(() => _bus.Handle("ns", "t", null!));
        Assert.Throws<ArgumentNullException>(() => new InProcessNetwork().Connect(null!));
    }

    [Fact]
    public void Subscription_capacity_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _bus.Subscribe("ns", null, (_, _) => ValueTask.CompletedTask, new SubscriptionOptions { Capacity = 0 }));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-20_000_000L)]
    public async Task Request_timeout_must_be_positive_or_infinite(long ticks)
    {
        using var handler = _bus.Handle("ns", "t", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 }));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => _bus.RequestAsync("me", "ns", "t", ReadOnlyMemory<byte>.Empty, TimeSpan.FromTicks(ticks)).AsTask());
        ReadOnlyMemory<byte> reply = await _bus.RequestAsync("me", "ns", "t", ReadOnlyMemory<byte>.Empty, Timeout.InfiniteTimeSpan);
        Assert.Equal(new byte[] { 1 }, reply.ToArray());
    }

    [Fact]
    public async Task Empty_device_id_is_rejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.SendAsync("", "ns", "t", ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _bus.RequestAsync("", "ns", "t", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());
    }
}
