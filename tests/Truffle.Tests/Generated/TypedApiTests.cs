using Microsoft.Extensions.Time.Testing;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Generated;

/// <summary>The generated typed API (<c>bus.Notes</c>, <c>bus.Roundtrip</c>) working through the in-process bus.</summary>
public sealed class TypedApiTests : IAsyncDisposable
{
    private readonly InProcessNetwork _network;
    private readonly MessageBus _ana;
    private readonly MessageBus _bo;
    private readonly MessageBus _cy;

    public TypedApiTests()
        : this(new InProcessNetwork())
    {
    }

    private TypedApiTests(InProcessNetwork network)
    {
        _network = network;
        _ana = network.Connect("ana");
        _bo = network.Connect("bo");
        _cy = network.Connect("cy");
    }

    [Fact]
    public async Task Send_delivers_a_typed_message_with_its_sender_to_the_target_only()
    {
        var atBo = Test.NewSignal<(Inner, MessageContext)>();
        var atCy = Test.NewSignal<Inner>();
        using IDisposable bo = _bo.Roundtrip.On<Inner>((message, context) => atBo.TrySetResult((message, context)));
        using IDisposable cy = _cy.Roundtrip.On<Inner>((message, _) => atCy.TrySetResult(message));

        await _ana.Roundtrip.Send("bo", new Inner("hello", 1));

        (Inner message, MessageContext context) = await atBo.Task.WaitAsync(Test.Timeout);
        Assert.Equal(new Inner("hello", 1), message);
        Assert.Equal("ana", context.From);
        Assert.Equal("roundtrip", context.Namespace);
        Assert.Equal("inner", context.Type);
        Assert.False(context.IsBroadcast);
        Assert.False(atCy.Task.IsCompleted);
    }

    [Fact]
    public async Task Broadcast_reaches_every_other_device_but_not_the_sender()
    {
        var atOthers = new Collector<string>();
        var atAna = new Collector<string>();
        using IDisposable a = _ana.Roundtrip.On<Inner>((message, _) => atAna.Add(message.Name));
        using IDisposable b = _bo.Roundtrip.On<Inner>((_, _) => atOthers.Add("bo"));
        using IDisposable c = _cy.Roundtrip.On<Inner>((_, _) => atOthers.Add("cy"));

        await _ana.Roundtrip.Broadcast(new Inner("all", 2));
        await _bo.Roundtrip.Send("ana", new Inner("probe", 3));

        string[] receivers = [await atOthers.Next(), await atOthers.Next()];
        Assert.Equal(["bo", "cy"], receivers.Order());
        // Ana's queue is ordered: had the broadcast come back to her, it would arrive before the probe.
        Assert.Equal("probe", await atAna.Next());
    }

    [Fact]
    public async Task On_receives_only_its_own_type()
    {
        var points = new Collector<Point>();
        using IDisposable subscription = _bo.Roundtrip.On<Point>((point, _) => points.Add(point));

        await _ana.Roundtrip.Send("bo", new Inner("not a point", 0));
        await _ana.Roundtrip.Send("bo", new Point(1, 2));

        Assert.Equal(new Point(1, 2), await points.Next());
    }

    [Fact]
    public async Task ReadAll_yields_messages_in_the_order_they_were_sent()
    {
        using var cancel = new CancellationTokenSource(Test.Timeout);
        await using IAsyncEnumerator<Received<Inner>> reader = _bo.Roundtrip.ReadAll<Inner>(cancellationToken: cancel.Token).GetAsyncEnumerator(cancel.Token);

        // The reader subscribes synchronously inside its first MoveNextAsync, before it waits for a message.
        ValueTask<bool> first = reader.MoveNextAsync();
        for (int i = 1; i <= 3; i++)
        {
            await _ana.Roundtrip.Send("bo", new Inner("n", i));
        }

        var read = new List<int>();
        Assert.True(await first);
        read.Add(reader.Current.Message.Value);
        Assert.Equal("ana", reader.Current.Context.From);
        while (read.Count < 3 && await reader.MoveNextAsync())
        {
            read.Add(reader.Current.Message.Value);
        }

        Assert.Equal([1, 2, 3], read);
    }

    [Fact]
    public async Task Request_gets_the_typed_reply_from_the_handler()
    {
        using IDisposable handler = _bo.Notes.Handle((GetNote request, MessageContext context) => new Note(request.Id, $"asked by {context.From}"));

        Note note = await _ana.Notes.Request("bo", new GetNote("n1"), Test.Timeout);

        Assert.Equal(new Note("n1", "asked by ana"), note);
    }

    [Fact]
    public async Task Request_with_a_collection_reply_and_an_async_handler_works()
    {
        using IDisposable handler = _bo.Notes.Handle(async (ListNotes request, MessageContext _, CancellationToken ct) =>
        {
            await Task.Yield();
            return new List<string> { request.Prefix + "1", request.Prefix + "2" };
        });

        List<string> ids = await _ana.Notes.Request("bo", new ListNotes("n"), Test.Timeout);

        Assert.Equal(["n1", "n2"], ids);
    }

    [Fact]
    public async Task Request_to_a_device_without_a_handler_fails_with_no_responder()
    {
        var error = await Assert.ThrowsAsync<NoResponderException>(async () => await _ana.Notes.Request("bo", new GetNote("x"), Test.Timeout));

        Assert.Equal("notes", error.Namespace);
        Assert.Equal("get-note", error.Type);
    }

    [Fact]
    public async Task A_handler_exception_comes_back_as_a_remote_error()
    {
        using IDisposable handler = _bo.Notes.Handle((Explode request, MessageContext _) => throw new InvalidOperationException(request.Reason));

        var error = await Assert.ThrowsAsync<RemoteHandlerException>(async () => await _ana.Notes.Request("bo", new Explode("kaboom"), Test.Timeout));

        Assert.Equal("kaboom", error.RemoteMessage);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteExceptionType);
    }

    [Fact]
    public async Task A_request_that_gets_no_reply_times_out_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        var network = new InProcessNetwork(clock);
        await using MessageBus asker = network.Connect("asker");
        await using MessageBus silent = network.Connect("silent");
        var handlerStarted = Test.NewSignal();
        using IDisposable handler = silent.Notes.Handle(async (GetNote _, MessageContext _, CancellationToken ct) =>
        {
            handlerStarted.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return new Note("never", "never");
        });

        ValueTask<Note> pending = asker.Notes.Request("silent", new GetNote("slow"), TimeSpan.FromSeconds(5));
        await handlerStarted.Task.WaitAsync(Test.Timeout);
        clock.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutException>(async () => await pending.AsTask().WaitAsync(Test.Timeout));
    }

    [Fact]
    public async Task Send_to_an_unknown_device_fails_and_sends_nothing()
    {
        await Assert.ThrowsAsync<DeviceUnreachableException>(async () => await _ana.Notes.Send("nobody", new Note("a", "b")));
    }

    [Fact]
    public void On_and_ReadAll_refuse_a_message_of_another_namespace()
    {
        // bus.Roundtrip can name every message the assembly sees, so the namespace is checked when subscribing; the
        // compiler already says so (TRF009), which this test silences to reach the run-time check.
#pragma warning disable TRF009
        ArgumentException refused = Assert.Throws<ArgumentException>(() => _bo.Roundtrip.On<Note>((_, _) => { }));
        Assert.Contains("'notes'", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _bo.Roundtrip.On<Note>((_, _, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentException>(() => _bo.Roundtrip.ReadAll<Note>());
#pragma warning restore TRF009
    }

    public async ValueTask DisposeAsync()
    {
        await _ana.DisposeAsync();
        await _bo.DisposeAsync();
        await _cy.DisposeAsync();
        GC.KeepAlive(_network);
    }
}
