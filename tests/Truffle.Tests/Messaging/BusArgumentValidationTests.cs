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
