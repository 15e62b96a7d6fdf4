using Microsoft.Extensions.Time.Testing;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Messaging;

/// <summary>What only the in-process hub has: devices connecting and leaving by hand, and a clock a test controls.</summary>
public sealed class InProcessNetworkTests : IAsyncLifetime
{
    private static readonly byte[] s_hello = [1, 2, 3];

    private readonly string _ns = Test.UniqueNamespace();
    private readonly FakeTimeProvider _clock = new();
    private readonly InProcessNetwork _network;
    private readonly MessageBus _a;
    private readonly MessageBus _b;

    public InProcessNetworkTests()
    {
        _network = new InProcessNetwork(_clock);
        _a = _network.Connect("a");
        _b = _network.Connect("b");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Disposed_bus_disconnects_its_device_and_the_id_can_connect_again()
    {
        await _b.DisposeAsync();

        Assert.False(_network.IsConnected("b"));
        await Assert.ThrowsAsync<DeviceUnreachableException>(() => _a.SendAsync("b", _ns, "x", s_hello).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _b.BroadcastAsync(_ns, "x", s_hello).AsTask());
        Assert.Throws<ObjectDisposedException>(() => _b.Subscribe(_ns, null, (_, _) => ValueTask.CompletedTask));

        await using MessageBus again = _network.Connect("b");
        var atB = new Inbox();
        using var b = again.Subscribe(_ns, null, atB.Handler);
        await _a.SendAsync("b", _ns, "welcome-back", s_hello);
        Assert.Equal("welcome-back", (await atB.NextAsync()).Type);
    }

    [Fact]
    public void Connecting_an_id_that_is_already_connected_throws()
    {
        Assert.Throws<InvalidOperationException>(() => _network.Connect("a"));
        Assert.Throws<ArgumentException>(() => _network.Connect(""));
    }

    [Fact]
    public async Task A_request_to_a_device_that_disconnects_fails_at_once()
    {
        var started = Test.NewSignal();
        using var handler = _b.Handle(_ns, "slow", async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        });
        Task request = _a.RequestAsync("b", _ns, "slow", ReadOnlyMemory<byte>.Empty, Timeout.InfiniteTimeSpan).AsTask();
        await started.Task.WaitAsync(Test.Timeout);

        await _b.DisposeAsync();

        var error = await Assert.ThrowsAsync<DeviceUnreachableException>(() => request.WaitAsync(Test.Timeout));
        Assert.Equal("b", error.DeviceId);
    }

    [Fact]
    public async Task Request_times_out_on_the_injected_clock_and_cancels_the_handler_at_the_same_moment()
    {
        // Far longer than any test waits, so only the fake clock can make it expire.
        TimeSpan timeout = TimeSpan.FromHours(1);
        var started = Test.NewSignal();
        var handlerCancelled = Test.NewSignal();
        using var handler = _b.Handle(_ns, "slow", async (_, ct) =>
        {
            ct.Register(handlerCancelled.SetResult);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        });

        Task<ReadOnlyMemory<byte>> request = _a.RequestAsync("b", _ns, "slow", ReadOnlyMemory<byte>.Empty, timeout).AsTask();
        await started.Task.WaitAsync(Test.Timeout);
        _clock.Advance(timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(request.IsCompleted);
        Assert.False(handlerCancelled.Task.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(1));

        await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(Test.Timeout));
        await handlerCancelled.Task.WaitAsync(Test.Timeout);
    }
}
