using MessagePack.Formatters;
using Truffle.Messaging;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Messaging;

/// <summary>
/// <see cref="TypedBus"/> over the in-process bus, with MessagePack's own string formatter standing in for a
/// generated one, so these tests do not depend on the generator.
/// </summary>
public sealed class TypedBusTests : IAsyncDisposable
{
    private static readonly IMessagePackFormatter<string?> s_text = NullableStringFormatter.Instance;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly string _ns = Test.UniqueNamespace();
    private readonly InProcessNetwork _network = new();
    private readonly InProcessBus _a;
    private readonly InProcessBus _b;

    public TypedBusTests()
    {
        _a = _network.Connect("a");
        _b = _network.Connect("b");
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Typed_send_arrives_decoded_with_its_context()
    {
        var received = Test.NewSignal<(string?, MessageContext)>();
        using var subscription = TypedBus.On(_b, _ns, "text", s_text, (text, context) => received.TrySetResult((text, context)), null);

        await TypedBus.SendAsync(_a, "b", _ns, "text", "héllo", s_text, CancellationToken.None);

        (string? text, MessageContext context) = await received.Task.WaitAsync(Test.Timeout);
        Assert.Equal("héllo", text);
        Assert.Equal(new MessageContext("a", _ns, "text", IsBroadcast: false), context);
    }

    [Fact]
    public async Task Typed_broadcast_reaches_an_async_handler()
    {
        var received = Test.NewSignal<(string?, bool)>();
        using var subscription = TypedBus.On<string?>(_b, _ns, "text", s_text, async (text, context, ct) =>
        {
            await Task.Yield();
            received.TrySetResult((text, context.IsBroadcast));
        }, null);

        await TypedBus.BroadcastAsync(_a, _ns, "text", "to all", s_text, CancellationToken.None);

        Assert.Equal(("to all", true), await received.Task.WaitAsync(Test.Timeout));
    }

    [Fact]
    public async Task Undecodable_payload_is_counted_as_a_decode_error_and_the_subscription_goes_on()
    {
        using var decodeErrors = new MetricRecorder(TruffleMetrics.DecodeErrors, _ns);
        using var handlerErrors = new MetricRecorder(TruffleMetrics.HandlerErrors, _ns);
        var received = Test.NewSignal<string?>();
        using var subscription = TypedBus.On(_b, _ns, "text", s_text, (text, _) => received.TrySetResult(text), null);

        // 0x01 is a MessagePack integer, not a string.
        await _a.SendAsync("b", _ns, "text", new byte[] { 0x01 });
        await TypedBus.SendAsync(_a, "b", _ns, "text", "still here", s_text, CancellationToken.None);

        Assert.Equal("still here", await received.Task.WaitAsync(Test.Timeout));
        Assert.Equal(1, decodeErrors.Total);
        Assert.Equal(0, handlerErrors.Total);
    }

    [Fact]
    public async Task ReadAllAsync_yields_messages_in_order_until_cancelled()
    {
        using var stop = new CancellationTokenSource();
        await using IAsyncEnumerator<Received<string?>> reader =
            TypedBus.ReadAllAsync(_b, _ns, "text", s_text, null, stop.Token).GetAsyncEnumerator(stop.Token);

        // The first MoveNextAsync subscribes before it waits, so the sends below cannot be missed.
        ValueTask<bool> first = reader.MoveNextAsync();
        foreach (string? text in new[] { "one", "two", "three" })
        {
            await TypedBus.SendAsync(_a, "b", _ns, "text", text, s_text, CancellationToken.None);
        }

        var texts = new List<string?>();
        for (bool more = await first; more; more = await reader.MoveNextAsync())
        {
            Assert.Equal("a", reader.Current.Context.From);
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

    [Fact]
    public async Task Typed_request_round_trips_and_the_handler_sees_the_caller()
    {
        using var handler = TypedBus.Handle(_b, _ns, "upper", s_text, s_text, (text, context) => $"{text?.ToUpperInvariant()} for {context.From}");

        string? reply = await TypedBus.RequestAsync(_a, "b", _ns, "upper", "note", s_text, s_text, s_timeout, CancellationToken.None);

        Assert.Equal("NOTE for a", reply);
    }

    [Fact]
    public async Task Typed_request_that_cannot_be_decoded_comes_back_as_a_remote_error()
    {
        using var handler = TypedBus.Handle(_b, _ns, "upper", s_text, s_text, (text, _) => text?.ToUpperInvariant());

        var error = await Assert.ThrowsAsync<RemoteHandlerException>(
            () => _a.RequestAsync("b", _ns, "upper", new byte[] { 0x01 }, s_timeout).AsTask());

        Assert.Equal(typeof(TruffleSerializationException).FullName, error.RemoteExceptionType);
    }
}
