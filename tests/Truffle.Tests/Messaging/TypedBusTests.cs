using MessagePack.Formatters;
using Truffle.Messaging;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Messaging;

/// <summary>
/// <see cref="TypedBus"/> over the bus, in process and on a real mesh, with MessagePack's own string formatter
/// standing in for a generated one, so these tests do not depend on the generator.
/// </summary>
[Collection(BusEndpoints.Name)]
public sealed class TypedBusTests(SharedMesh mesh)
{
    private static readonly IMessagePackFormatter<string?> s_text = NullableStringFormatter.Instance;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly string _ns = Test.UniqueNamespace();

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Typed_send_arrives_decoded_with_its_context(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus a, IMessageBus b) = (d.A, d.B);
        var received = Test.NewSignal<(string?, MessageContext)>();
        using var subscription = TypedBus.On(b, _ns, "text", s_text, (text, context) => received.TrySetResult((text, context)), null);

        await TypedBus.SendAsync(a, b.LocalDeviceId, _ns, "text", "héllo", s_text, CancellationToken.None);

        (string? text, MessageContext context) = await received.Task.WaitAsync(Test.Timeout);
        Assert.Equal("héllo", text);
        Assert.Equal(new MessageContext(a.LocalDeviceId, _ns, "text", IsBroadcast: false), context);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Typed_broadcast_reaches_an_async_handler(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus a, IMessageBus b) = (d.A, d.B);
        var received = Test.NewSignal<(string?, bool)>();
        using var subscription = TypedBus.On<string?>(b, _ns, "text", s_text, async (text, context, ct) =>
        {
            await Task.Yield();
            received.TrySetResult((text, context.IsBroadcast));
        }, null);

        await TypedBus.BroadcastAsync(a, _ns, "text", "to all", s_text, CancellationToken.None);

        Assert.Equal(("to all", true), await received.Task.WaitAsync(Test.Timeout));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Undecodable_payload_is_counted_as_a_decode_error_and_the_subscription_goes_on(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus a, IMessageBus b) = (d.A, d.B);
        using var decodeErrors = new MetricRecorder(TruffleMetrics.Shared.DecodeErrors, _ns);
        using var handlerErrors = new MetricRecorder(TruffleMetrics.Shared.HandlerErrors, _ns);
        var received = Test.NewSignal<string?>();
        using var subscription = TypedBus.On(b, _ns, "text", s_text, (text, _) => received.TrySetResult(text), null);

        // 0x01 is a MessagePack integer, not a string.
        await a.SendAsync(b.LocalDeviceId, _ns, "text", new byte[] { 0x01 });
        await TypedBus.SendAsync(a, b.LocalDeviceId, _ns, "text", "still here", s_text, CancellationToken.None);

        Assert.Equal("still here", await received.Task.WaitAsync(Test.Timeout));
        Assert.Equal(1, decodeErrors.Total);
        Assert.Equal(0, handlerErrors.Total);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task ReadAllAsync_yields_messages_in_order_until_cancelled(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus a, IMessageBus b) = (d.A, d.B);
        using var stop = new CancellationTokenSource();
        await using IAsyncEnumerator<Received<string?>> reader =
            TypedBus.ReadAllAsync(b, _ns, "text", s_text, null, stop.Token).GetAsyncEnumerator(stop.Token);

        // The first MoveNextAsync subscribes before it waits, so the sends below cannot be missed.
        ValueTask<bool> first = reader.MoveNextAsync();
        foreach (string? text in new[] { "one", "two", "three" })
        {
            await TypedBus.SendAsync(a, b.LocalDeviceId, _ns, "text", text, s_text, CancellationToken.None);
        }

        var texts = new List<string?>();
        for (bool more = await first; more; more = await reader.MoveNextAsync())
        {
            Assert.Equal(a.LocalDeviceId, reader.Current.Context.From);
            texts.Add(reader.Current.Message);
            if (texts.Count == 3)
            {
                break;
            }
        }

        await stop.CancelAsync();
        Assert.Equal(["one", "two", "three"], texts);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.MoveNextAsync().AsTask().WaitAsync(Test.Timeout));
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Typed_request_round_trips_and_the_handler_sees_the_caller(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus a, IMessageBus b) = (d.A, d.B);
        using var handler = TypedBus.Handle(b, _ns, "upper", s_text, s_text, (text, context) => $"{text?.ToUpperInvariant()} for {context.From}");

        string? reply = await TypedBus.RequestAsync(a, b.LocalDeviceId, _ns, "upper", "note", s_text, s_text, s_timeout, CancellationToken.None);

        Assert.Equal($"NOTE for {a.LocalDeviceId}", reply);
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Typed_request_that_cannot_be_decoded_comes_back_as_a_remote_error(Endpoint endpoint)
    {
        await using Devices d = mesh.Open(endpoint);
        (IMessageBus a, IMessageBus b) = (d.A, d.B);
        using var handler = TypedBus.Handle(b, _ns, "upper", s_text, s_text, (text, _) => text?.ToUpperInvariant());

        var error = await Assert.ThrowsAsync<RemoteHandlerException>(
            () => a.RequestAsync(b.LocalDeviceId, _ns, "upper", new byte[] { 0x01 }, s_timeout).AsTask());

        Assert.Equal(typeof(TruffleSerializationException).FullName, error.RemoteExceptionType);
    }
}
