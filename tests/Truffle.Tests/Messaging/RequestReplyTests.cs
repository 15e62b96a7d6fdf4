using Microsoft.Extensions.Time.Testing;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Messaging;

public sealed class RequestReplyTests : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly string _ns = Test.UniqueNamespace();
    private readonly FakeTimeProvider _clock = new();
    private readonly InProcessNetwork _network;
    private readonly InProcessBus _asker;
    private readonly InProcessBus _responder;

    public RequestReplyTests()
    {
        _network = new InProcessNetwork(_clock);
        _asker = _network.Connect("asker");
        _responder = _network.Connect("responder");
    }

    public async ValueTask DisposeAsync()
    {
        await _asker.DisposeAsync();
        await _responder.DisposeAsync();
    }

    [Fact]
    public async Task Request_gets_the_handlers_reply()
    {
        InboundMessage seen = default;
        using var handler = _responder.Handle(_ns, "double", (request, _) =>
        {
            seen = request with { Payload = request.Payload.ToArray() };
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(request.Payload.ToArray().Select(b => (byte)(b * 2)).ToArray());
        });

        ReadOnlyMemory<byte> reply = await _asker.RequestAsync("responder", _ns, "double", new byte[] { 1, 2, 3 }, s_timeout);

        Assert.Equal(new byte[] { 2, 4, 6 }, reply.ToArray());
        Assert.Equal(("asker", _ns, "double", false), (seen.From, seen.Namespace, seen.Type, seen.IsBroadcast));
    }

    [Fact]
    public async Task Request_to_self_is_answered_locally()
    {
        using var handler = _asker.Handle(_ns, "ping", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 42 }));

        ReadOnlyMemory<byte> reply = await _asker.RequestAsync("asker", _ns, "ping", ReadOnlyMemory<byte>.Empty, s_timeout);

        Assert.Equal(new byte[] { 42 }, reply.ToArray());
    }

    [Fact]
    public async Task Reply_payload_is_copied()
    {
        byte[] handlersBuffer = [7, 7];
        using var handler = _responder.Handle(_ns, "buffer", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(handlersBuffer));

        ReadOnlyMemory<byte> reply = await _asker.RequestAsync("responder", _ns, "buffer", ReadOnlyMemory<byte>.Empty, s_timeout);
        handlersBuffer[0] = 0;

        Assert.Equal(new byte[] { 7, 7 }, reply.ToArray());
    }

    [Fact]
    public async Task Request_to_a_device_without_a_handler_throws_NoResponderException()
    {
        using var other = _responder.Handle(_ns, "other-type", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));

        var error = await Assert.ThrowsAsync<NoResponderException>(
            () => _asker.RequestAsync("responder", _ns, "missing", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());

        Assert.Equal(("responder", _ns, "missing"), (error.DeviceId, error.Namespace, error.Type));
    }

    [Fact]
    public async Task Disposed_handler_registration_stops_answering()
    {
        IDisposable registration = _responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
        await _asker.RequestAsync("responder", _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout);

        registration.Dispose();

        await Assert.ThrowsAsync<NoResponderException>(
            () => _asker.RequestAsync("responder", _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());
    }

    [Fact]
    public async Task Request_to_an_unknown_device_throws_DeviceUnreachableException()
    {
        var error = await Assert.ThrowsAsync<DeviceUnreachableException>(
            () => _asker.RequestAsync("nobody", _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());

        Assert.Equal("nobody", error.DeviceId);
    }

    [Fact]
    public async Task Handler_exception_comes_back_as_RemoteHandlerException_and_is_counted()
    {
        using var handlerErrors = new MetricRecorder(TruffleMetrics.HandlerErrors, _ns);
        using var handler = _responder.Handle(_ns, "fail", (_, _) => throw new InvalidOperationException("no such note"));

        var error = await Assert.ThrowsAsync<RemoteHandlerException>(
            () => _asker.RequestAsync("responder", _ns, "fail", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());

        Assert.Equal("responder", error.DeviceId);
        Assert.Equal("System.InvalidOperationException", error.RemoteExceptionType);
        Assert.Equal("no such note", error.RemoteMessage);
        Assert.Equal(1, handlerErrors.Total);
    }

    [Fact]
    public async Task Request_times_out_on_the_injected_clock_and_cancels_the_handler()
    {
        // Far longer than any test waits, so only the fake clock can make it expire.
        TimeSpan timeout = TimeSpan.FromHours(1);
        var started = Test.NewSignal();
        var handlerCancelled = Test.NewSignal();
        using var handler = _responder.Handle(_ns, "slow", async (_, ct) =>
        {
            ct.Register(handlerCancelled.SetResult);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        });

        Task<ReadOnlyMemory<byte>> request = _asker.RequestAsync("responder", _ns, "slow", ReadOnlyMemory<byte>.Empty, timeout).AsTask();
        await started.Task.WaitAsync(Test.Timeout);
        _clock.Advance(timeout - TimeSpan.FromTicks(1));
        Assert.False(request.IsCompleted);
        Assert.False(handlerCancelled.Task.IsCompleted);

        _clock.Advance(TimeSpan.FromTicks(1));

        await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(Test.Timeout));
        await handlerCancelled.Task.WaitAsync(Test.Timeout);
    }

    [Fact]
    public async Task Cancelling_the_callers_token_throws_OperationCanceledException_and_cancels_the_handler()
    {
        var started = Test.NewSignal();
        var handlerCancelled = Test.NewSignal();
        using var handler = _responder.Handle(_ns, "slow", async (_, ct) =>
        {
            ct.Register(handlerCancelled.SetResult);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        });
        using var cancellation = new CancellationTokenSource();

        Task<ReadOnlyMemory<byte>> request = _asker.RequestAsync("responder", _ns, "slow", ReadOnlyMemory<byte>.Empty, Timeout.InfiniteTimeSpan, cancellation.Token).AsTask();
        await started.Task.WaitAsync(Test.Timeout);
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(Test.Timeout));
        Assert.Equal(cancellation.Token, error.CancellationToken);
        await handlerCancelled.Task.WaitAsync(Test.Timeout);
    }

    [Fact]
    public async Task An_already_cancelled_request_does_not_reach_the_handler()
    {
        int calls = 0;
        using var handler = _responder.Handle(_ns, "q", (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _asker.RequestAsync("responder", _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout, new CancellationToken(canceled: true)).AsTask());
        await _asker.RequestAsync("responder", _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout);

        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task Request_handler_does_not_run_on_the_callers_stack()
    {
        var ranOnCallersStack = Test.NewSignal<bool>();
        using var handler = _responder.Handle(_ns, "where", (_, _) =>
        {
            ranOnCallersStack.TrySetResult(RequestingMarker.IsSet);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        });

        Task request;
        RequestingMarker.IsSet = true;
        try
        {
            request = _asker.RequestAsync("responder", _ns, "where", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask();
        }
        finally
        {
            RequestingMarker.IsSet = false;
        }

        await request.WaitAsync(Test.Timeout);
        Assert.False(await ranOnCallersStack.Task.WaitAsync(Test.Timeout));
    }

    [Fact]
    public void A_second_handler_for_the_same_type_is_rejected()
    {
        using var first = _responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));

        Assert.Throws<InvalidOperationException>(
            () => _responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)));
        using var otherType = _responder.Handle(_ns, "r", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
        using var otherDevice = _asker.Handle(_ns, "q", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public async Task A_handler_registration_can_be_replaced_after_disposal()
    {
        _responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 })).Dispose();
        using var second = _responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 2 }));

        ReadOnlyMemory<byte> reply = await _asker.RequestAsync("responder", _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout);

        Assert.Equal(new byte[] { 2 }, reply.ToArray());
    }

    private static class RequestingMarker
    {
        [ThreadStatic]
        public static bool IsSet;
    }
}
