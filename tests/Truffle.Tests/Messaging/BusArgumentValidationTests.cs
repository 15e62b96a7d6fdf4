using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Messaging;

/// <summary>What every bus refuses before anything is sent, on an in-process hub and on a real mesh alike.</summary>
[Collection(BusEndpoints.Name)]
public sealed class BusArgumentValidationTests(SharedMesh mesh)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public static TheoryData<string> InvalidNames => new()
    {
        string.Empty,
        new string('n', 129),
        new string('é', 65), // 65 characters, but 130 UTF-8 bytes.
    };

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Names_of_128_utf8_bytes_are_accepted(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        string longest = new('é', 64);
        var inbox = new Inbox();
        using var subscription = d.B.Subscribe(longest, longest, inbox.Handler);

        await d.A.SendAsync(d.B.LocalDeviceId, longest, longest, ReadOnlyMemory<byte>.Empty);

        Assert.Equal(longest, (await inbox.NextAsync()).Type);
    }

    public static TheoryData<Endpoint, string> InvalidNamesOnEveryEndpoint()
    {
        var data = new TheoryData<Endpoint, string>();
        foreach (Endpoint endpoint in Enum.GetValues<Endpoint>())
        {
            foreach (string name in InvalidNames)
            {
                data.Add(endpoint, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidNamesOnEveryEndpoint))]
    public async Task Invalid_namespace_or_type_is_rejected_by_every_operation(Endpoint endpoint, string name)
    {
        await using Devices d = mesh.Open(endpoint);
        IMessageBus bus = d.A;
        string me = bus.LocalDeviceId;
        static ValueTask<ReadOnlyMemory<byte>> Reply(InboundMessage m, CancellationToken ct) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);

        await Assert.ThrowsAsync<ArgumentException>(() => bus.SendAsync(me, name, "t", ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.SendAsync(me, "ns", name, ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.BroadcastAsync(name, "t", ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.BroadcastAsync("ns", name, ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.RequestAsync(me, name, "t", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.RequestAsync(me, "ns", name, ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());
        Assert.Throws<ArgumentException>(() => bus.Subscribe(name, null, (_, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentException>(() => bus.Subscribe("ns", name, (_, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentException>(() => bus.Handle(name, "t", Reply));
        Assert.Throws<ArgumentException>(() => bus.Handle("ns", name, Reply));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task A_payload_or_reply_over_one_message_is_rejected_and_one_of_exactly_the_limit_is_delivered(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        IMessageBus bus = d.A;
        string me = bus.LocalDeviceId;
        var inbox = new Inbox();
        using var subscription = bus.Subscribe("ns", null, inbox.Handler);
        byte[] limit = new byte[1 << 20], over = new byte[(1 << 20) + 1];

        await Assert.ThrowsAsync<ArgumentException>(() => bus.SendAsync(me, "ns", "t", over).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.BroadcastAsync("ns", "t", over).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.RequestAsync(me, "ns", "t", over, s_timeout).AsTask());
        await bus.SendAsync(me, "ns", "t", limit);
        using IDisposable handler = bus.Handle("ns", "big", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(over));
        var reply = await Assert.ThrowsAsync<RemoteHandlerException>(() => bus.RequestAsync(me, "ns", "big", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());

        Assert.Equal(limit.Length, (await inbox.NextAsync()).Payload.Length);
        Assert.Contains("The reply is 1,048,577 bytes", reply.RemoteMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public void Null_arguments_are_rejected(Endpoint endpoint)
    {
        Devices d = mesh.Open(endpoint);
        IMessageBus bus = d.A;
        Assert.Throws<ArgumentNullException>(() => bus.Subscribe(null!, null, (_, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => bus.Subscribe("ns", null, null!));
        Assert.Throws<ArgumentNullException>(() => bus.Handle("ns", "t", null!));
        Assert.Throws<ArgumentNullException>(() => new InProcessNetwork().Connect(null!));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public void Subscription_capacity_below_one_is_rejected(Endpoint endpoint)
    {
        Devices d = mesh.Open(endpoint);
        IMessageBus bus = d.A;
        Assert.Throws<ArgumentOutOfRangeException>(
            () => bus.Subscribe("ns", null, (_, _) => ValueTask.CompletedTask, new SubscriptionOptions { Capacity = 0 }));
    }

    [Theory]
    [InlineData(Endpoint.InProcess, 0L)]
    [InlineData(Endpoint.InProcess, -1L)]
    [InlineData(Endpoint.Mesh, -20_000_000L)]
    public async Task Request_timeout_must_be_positive_or_infinite(Endpoint endpoint, long ticks)
    {
        await using Devices d = mesh.Open(endpoint);
        IMessageBus bus = d.A;
        string me = bus.LocalDeviceId;
        using var handler = bus.Handle("ns", "t", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 }));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => bus.RequestAsync(me, "ns", "t", ReadOnlyMemory<byte>.Empty, TimeSpan.FromTicks(ticks)).AsTask());
        ReadOnlyMemory<byte> reply = await bus.RequestAsync(me, "ns", "t", ReadOnlyMemory<byte>.Empty, Timeout.InfiniteTimeSpan);
        Assert.Equal(new byte[] { 1 }, reply.ToArray());
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Empty_device_id_is_rejected(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        IMessageBus bus = d.A;
        string me = bus.LocalDeviceId;
        await Assert.ThrowsAsync<ArgumentException>(() => bus.SendAsync("", "ns", "t", ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.RequestAsync("", "ns", "t", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());
    }
}
