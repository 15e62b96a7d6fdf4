using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Messaging;

/// <summary>Request/reply of <see cref="MessageBus"/>, the same on an in-process hub and on a real mesh.</summary>
[Collection(BusEndpoints.Name)]
public sealed class RequestReplyTests(SharedMesh mesh)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly string _ns = Test.UniqueNamespace();

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Request_gets_the_handlers_reply(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        InboundMessage seen = default;
        using var handler = responder.Handle(_ns, "double", (request, _) =>
        {
            seen = request with { Payload = request.Payload.ToArray() };
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(request.Payload.ToArray().Select(b => (byte)(b * 2)).ToArray());
        });

        ReadOnlyMemory<byte> reply = await asker.RequestAsync(responder.LocalDeviceId, _ns, "double", new byte[] { 1, 2, 3 }, s_timeout);

        Assert.Equal(new byte[] { 2, 4, 6 }, reply.ToArray());
        Assert.Equal((asker.LocalDeviceId, _ns, "double", false), (seen.From, seen.Namespace, seen.Type, seen.IsBroadcast));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Request_to_self_is_answered_locally(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        using var handler = asker.Handle(_ns, "ping", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 42 }));

        ReadOnlyMemory<byte> reply = await asker.RequestAsync(asker.LocalDeviceId, _ns, "ping", ReadOnlyMemory<byte>.Empty, s_timeout);

        Assert.Equal(new byte[] { 42 }, reply.ToArray());
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Reply_payload_is_copied(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        byte[] handlersBuffer = [7, 7];
        using var handler = responder.Handle(_ns, "buffer", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(handlersBuffer));

        ReadOnlyMemory<byte> reply = await asker.RequestAsync(responder.LocalDeviceId, _ns, "buffer", ReadOnlyMemory<byte>.Empty, s_timeout);
        handlersBuffer[0] = 0;

        Assert.Equal(new byte[] { 7, 7 }, reply.ToArray());
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Request_to_a_device_without_a_handler_throws_NoResponderException(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        using var other = responder.Handle(_ns, "other-type", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));

        var error = await Assert.ThrowsAsync<NoResponderException>(
            () => asker.RequestAsync(responder.LocalDeviceId, _ns, "missing", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());

        Assert.Equal((responder.LocalDeviceId, _ns, "missing"), (error.DeviceId, error.Namespace, error.Type));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Disposed_handler_registration_stops_answering(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        IDisposable registration = responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
        await asker.RequestAsync(responder.LocalDeviceId, _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout);

        registration.Dispose();

        await Assert.ThrowsAsync<NoResponderException>(
            () => asker.RequestAsync(responder.LocalDeviceId, _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Request_to_an_unknown_device_throws_DeviceUnreachableException(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        var error = await Assert.ThrowsAsync<DeviceUnreachableException>(
            () => asker.RequestAsync("nobody", _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());

        Assert.Equal("nobody", error.DeviceId);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Handler_exception_comes_back_as_RemoteHandlerException_and_is_counted(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        using var handlerErrors = new MetricRecorder(TruffleMetrics.Shared.HandlerErrors, _ns);
        using var handler = responder.Handle(_ns, "fail", (_, _) => throw new InvalidOperationException("no such note"));

        var error = await Assert.ThrowsAsync<RemoteHandlerException>(
            () => asker.RequestAsync(responder.LocalDeviceId, _ns, "fail", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask());

        Assert.Equal(responder.LocalDeviceId, error.DeviceId);
        Assert.Equal("System.InvalidOperationException", error.RemoteExceptionType);
        Assert.Equal("no such note", error.RemoteMessage);
        Assert.Equal(1, handlerErrors.Total);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task The_handlers_token_is_cancelled_when_the_requesters_timeout_passes(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        var started = Test.NewSignal();
        var handlerCancelled = Test.NewSignal();
        using var handler = responder.Handle(_ns, "slow", async (_, ct) =>
        {
            ct.Register(handlerCancelled.SetResult);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        });

        Task<ReadOnlyMemory<byte>> request = asker.RequestAsync(
            responder.LocalDeviceId, _ns, "slow", ReadOnlyMemory<byte>.Empty, TimeSpan.FromMilliseconds(300)).AsTask();
        await started.Task.WaitAsync(Test.Timeout);

        // The timeout travelled with the request: the responder gives up when the requester does.
        await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(Test.Timeout));
        await handlerCancelled.Task.WaitAsync(Test.Timeout);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Cancelling_the_callers_token_throws_OperationCanceledException_and_the_handler_stops_at_the_timeout(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        var started = Test.NewSignal();
        var handlerCancelled = Test.NewSignal();
        using var handler = responder.Handle(_ns, "slow", async (_, ct) =>
        {
            ct.Register(handlerCancelled.SetResult);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        });
        using var cancellation = new CancellationTokenSource();

        Task<ReadOnlyMemory<byte>> request = asker.RequestAsync(
            responder.LocalDeviceId, _ns, "slow", ReadOnlyMemory<byte>.Empty, TimeSpan.FromMilliseconds(300), cancellation.Token).AsTask();
        await started.Task.WaitAsync(Test.Timeout);
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(Test.Timeout));
        Assert.Equal(cancellation.Token, error.CancellationToken);

        // No cancel message travels: the responder stops when the timeout the request carried passes.
        await handlerCancelled.Task.WaitAsync(Test.Timeout);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task An_already_cancelled_request_does_not_reach_the_handler(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        int calls = 0;
        using var handler = responder.Handle(_ns, "q", (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => asker.RequestAsync(responder.LocalDeviceId, _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout, new CancellationToken(canceled: true)).AsTask());
        await asker.RequestAsync(responder.LocalDeviceId, _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout);

        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Request_handler_does_not_run_on_the_callers_stack(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        var ranOnCallersStack = Test.NewSignal<bool>();
        using var handler = responder.Handle(_ns, "where", (_, _) =>
        {
            ranOnCallersStack.TrySetResult(RequestingMarker.IsSet);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        });

        Task request;
        RequestingMarker.IsSet = true;
        try
        {
            request = asker.RequestAsync(responder.LocalDeviceId, _ns, "where", ReadOnlyMemory<byte>.Empty, s_timeout).AsTask();
        }
        finally
        {
            RequestingMarker.IsSet = false;
        }

        await request.WaitAsync(Test.Timeout);
        Assert.False(await ranOnCallersStack.Task.WaitAsync(Test.Timeout));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public void A_second_handler_for_the_same_type_is_rejected(Endpoint endpoint)
    {
        Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        using var first = responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));

        Assert.Throws<InvalidOperationException>(
            () => responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty)));
        using var otherType = responder.Handle(_ns, "r", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
        using var otherDevice = asker.Handle(_ns, "q", (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task A_handler_registration_can_be_replaced_after_disposal(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus asker, IMessageBus responder) = (d.A, d.B);
        responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 1 })).Dispose();
        using var second = responder.Handle(_ns, "q", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(new byte[] { 2 }));

        ReadOnlyMemory<byte> reply = await asker.RequestAsync(responder.LocalDeviceId, _ns, "q", ReadOnlyMemory<byte>.Empty, s_timeout);

        Assert.Equal(new byte[] { 2 }, reply.ToArray());
    }

    private static class RequestingMarker
    {
        [ThreadStatic]
        public static bool IsSet;
    }
}
