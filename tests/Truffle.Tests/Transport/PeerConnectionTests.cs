using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Tests.Support;
using Truffle.Transport;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Transport;

public sealed class PeerConnectionTests
{
    [Fact]
    public async Task Ten_thousand_envelopes_flow_each_way_in_order_and_are_coalesced_into_fewer_messages()
    {
        const int Count = 10_000;
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(Loopback.Hello("srv"), Loopback.Hello("cli"));
        await using (server)
        await using (client)
        {
            var atServer = new RecordingHandler();
            var atClient = new RecordingHandler();
            server.Start(atServer);
            client.Start(atClient);

            Task toServer = SendAllAsync(client, Count);
            Task toClient = SendAllAsync(server, Count);
            await Task.WhenAll(toServer, toClient).WaitAsync(Test.Timeout);

            for (ulong i = 0; i < Count; i++)
            {
                Assert.Equal(i, (await atServer.NextAsync()).Sequence);
                Envelope back = await atClient.NextAsync();
                Assert.Equal(i, back.Sequence);
                Assert.Equal(i, BitConverter.ToUInt64(back.Payload.Span));
            }

            Assert.Equal(Count, client.Stats.EnvelopesSent);
            Assert.True(client.Stats.MessagesSent < Count, $"{client.Stats.MessagesSent} messages for {Count} envelopes");
            Assert.Equal(client.Stats.MessagesSent, server.Stats.MessagesReceived);
            Assert.Equal(Count, server.Stats.EnvelopesReceived);
        }
    }

    [Fact]
    public async Task Close_sends_what_is_queued_and_both_sides_see_the_code_once_after_the_last_envelope()
    {
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(Loopback.Hello("srv"), Loopback.Hello("cli"));
        var atServer = new RecordingHandler();
        var atClient = new RecordingHandler();
        server.Start(atServer);
        client.Start(atClient);

        for (ulong i = 0; i < 100; i++)
        {
            Assert.True(client.TrySend(RecordingHandler.Envelope(i)));
        }

        await client.CloseAsync(CloseCodes.Goodbye, "leaving").AsTask().WaitAsync(Test.Timeout);
        await server.Completion.WaitAsync(Test.Timeout);
        await client.DisposeAsync();
        await server.DisposeAsync();
        await client.CloseAsync(CloseCodes.Goodbye, "again");

        for (ulong i = 0; i < 100; i++)
        {
            Assert.True(atServer.TryTake(out Envelope envelope));
            Assert.Equal(i, envelope.Sequence);
        }

        Assert.Equal(CloseCodes.Goodbye, (await atServer.ClosedAsync()).CloseCode);
        Assert.Equal(CloseCodes.Goodbye, (await atClient.ClosedAsync()).CloseCode);
        Assert.Equal(1, atServer.ClosedCount);
        Assert.Equal(1, atClient.ClosedCount);
        Assert.Equal(0, atServer.EnvelopesAfterClose);
    }

    [Fact]
    public async Task After_close_TrySend_and_SendOverBound_return_false_and_SendAsync_throws()
    {
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(Loopback.Hello("srv"), Loopback.Hello("cli"));
        server.Start(new RecordingHandler());
        client.Start(new RecordingHandler());

        await server.CloseAsync(CloseCodes.Goodbye, "bye").AsTask().WaitAsync(Test.Timeout);
        await client.Completion.WaitAsync(Test.Timeout);

        Assert.False(server.TrySend(RecordingHandler.Envelope(1)));
        Assert.False(client.TrySend(RecordingHandler.Envelope(1)));
        Assert.False(client.SendOverBound(RecordingHandler.Envelope(1)));
        await Assert.ThrowsAsync<ConnectionClosedException>(() => client.SendAsync(RecordingHandler.Envelope(1), CancellationToken.None).AsTask());
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Envelopes_that_break_the_limits_are_refused_by_the_sender_and_counted()
    {
        using var dropped = new TagRecorder(TruffleMetrics.Shared.EnvelopesDropped, "reason", "send_name_too_long");
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(Loopback.Hello("srv"), Loopback.Hello("cli"));
        await using (server)
        await using (client)
        {
            Envelope tooLong = RecordingHandler.Envelope(1) with { Namespace = new string('n', 129) };

            await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(tooLong, CancellationToken.None).AsTask());
            Assert.False(client.TrySend(tooLong));
            Assert.False(client.SendOverBound(RecordingHandler.Envelope(1) with { Payload = new byte[(1 << 20) + 1] }));
            await dropped.WaitForAsync(2);
        }
    }

    [Fact]
    public async Task Oversized_message_closes_with_1009_and_is_counted()
    {
        using var errors = new TagRecorder(TruffleMetrics.Shared.TransportProtocolErrors, "reason", "message_too_big");
        var small = new TransportOptions { MaxMessageBytes = 4096 };
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(Loopback.Hello("srv"), Loopback.Hello("cli"), serverOptions: small);
        await using (server)
        await using (client)
        {
            var atServer = new RecordingHandler();
            var atClient = new RecordingHandler();
            server.Start(atServer);
            client.Start(atClient);

            Assert.True(client.TrySend(RecordingHandler.Envelope(1, payloadBytes: 100)));
            Assert.Equal(1UL, (await atServer.NextAsync()).Sequence);
            Assert.True(client.TrySend(RecordingHandler.Envelope(2, payloadBytes: 10_000)));

            Assert.Equal(1009, (await atServer.ClosedAsync()).CloseCode);
            Assert.Equal(1009, (await atClient.ClosedAsync()).CloseCode);
            Assert.False(atServer.TryTake(out _));
            await errors.WaitForAsync(1);
        }
    }

    [Fact]
    public async Task Malformed_message_closes_with_1007_after_delivering_the_envelopes_before_it()
    {
        await using var raw = await RawPairAsync();
        await raw.Peer.SendAsync([.. Encode(RecordingHandler.Envelope(1)), 0xc1]);

        Assert.Equal(1UL, (await raw.Handler.NextAsync()).Sequence);
        Assert.Equal(1007, await raw.Peer.ReceiveCloseAsync());
        Assert.Equal(1007, (await raw.Handler.ClosedAsync()).CloseCode);
    }

    [Fact]
    public async Task Text_message_closes_with_1003()
    {
        await using var raw = await RawPairAsync();
        await raw.Peer.SendAsync("hello?"u8.ToArray(), WebSocketMessageType.Text);

        Assert.Equal(1003, await raw.Peer.ReceiveCloseAsync());
        Assert.Equal(1003, (await raw.Handler.ClosedAsync()).CloseCode);
    }

    [Fact]
    public async Task Invalid_envelope_is_dropped_and_counted_and_the_connection_goes_on()
    {
        await using var raw = await RawPairAsync();
        await raw.Peer.SendAsync([.. Encode(RecordingHandler.Envelope(1)), .. EnvelopeCodecTests.Invalid("kind_unknown"), .. Encode(RecordingHandler.Envelope(2))]);
        await raw.Peer.SendAsync(Encode(RecordingHandler.Envelope(3)));

        Assert.Equal(1UL, (await raw.Handler.NextAsync()).Sequence);
        Assert.Equal(2UL, (await raw.Handler.NextAsync()).Sequence);
        Assert.Equal(3UL, (await raw.Handler.NextAsync()).Sequence);
        Assert.Equal(1, raw.Connection.Stats.InvalidEnvelopes);
        Assert.False(raw.Handler.Closed.IsCompleted);
    }

    [Fact]
    public async Task Handler_exception_is_counted_and_the_loop_goes_on()
    {
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(Loopback.Hello("srv"), Loopback.Hello("cli"));
        await using (server)
        await using (client)
        {
            var atServer = new RecordingHandler { OnEach = e => _ = e.Sequence == 1 ? throw new InvalidOperationException("boom") : 0 };
            server.Start(atServer);
            client.Start(new RecordingHandler());

            Assert.True(client.TrySend(RecordingHandler.Envelope(1)));
            Assert.True(client.TrySend(RecordingHandler.Envelope(2)));

            Assert.Equal(2UL, (await atServer.NextAsync()).Sequence);
            Assert.False(atServer.Closed.IsCompleted);
        }
    }

    [Fact]
    public async Task SendAsync_waits_while_the_queue_is_over_its_bound_and_resumes_when_the_reader_drains()
    {
        using var gate = new ManualResetEventSlim(false);
        var options = new TransportOptions { SendQueueBytes = 64 << 10, MaxBatchBytes = 16 << 10 };
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(
            Loopback.Hello("srv"), Loopback.Hello("cli"), clientOptions: options, socketBufferBytes: 32 << 10);
        await using (server)
        await using (client)
        {
            // Blocking the read loop is what a handler must not do; here it is how the receiver stops reading.
            var atServer = new RecordingHandler { OnEach = _ => gate.Wait(Test.Timeout) };
            server.Start(atServer);
            client.Start(new RecordingHandler());

            try
            {
                // Fill until both hold at once: TrySend refuses and SendAsync waits (the writer may still be
                // pushing into the socket buffers for a while).
                ulong next = 0;
                ValueTask pending;
                while (true)
                {
                    Assert.True(next < 100_000, "the queue never stayed full");
                    while (client.TrySend(RecordingHandler.Envelope(next, payloadBytes: 4096)))
                    {
                        next++;
                    }

                    pending = client.SendAsync(RecordingHandler.Envelope(next++, payloadBytes: 4096), CancellationToken.None);
                    if (!pending.IsCompleted)
                    {
                        break;
                    }
                }

                ulong waitingSequence = next - 1;
                Assert.True(client.SendOverBound(RecordingHandler.Envelope(next, payloadBytes: 16)));
                gate.Set();
                await pending.AsTask().WaitAsync(Test.Timeout);

                for (ulong i = 0; i < waitingSequence; i++)
                {
                    Assert.Equal(i, (await atServer.NextAsync()).Sequence);
                }

                // The control envelope is usually queued before the waiting one gets in; both arrive.
                ulong[] last = [(await atServer.NextAsync()).Sequence, (await atServer.NextAsync()).Sequence];
                Assert.Equal([waitingSequence, next], last.Order());
            }
            finally
            {
                gate.Set();
            }
        }
    }

    private static byte[] Encode(Envelope envelope) => EnvelopeCodecTests.Encode(envelope);

    private static async Task<RawPair> RawPairAsync()
    {
        var loopback = new Loopback();
        Task<PeerConnection> accept = Task.Run(async () => await PeerConnection.AcceptAsync(
            await loopback.AcceptAsync(Loopback.Identity("ts-raw")), Loopback.Hello("srv"), null, new TransportOptions(), NullLoggerFactory.Instance, CancellationToken.None));
        RawPeer peer = await RawPeer.ConnectAsync(loopback);
        await peer.HelloAsync(Loopback.Hello("raw"));
        PeerConnection connection = await accept.WaitAsync(Test.Timeout);
        var handler = new RecordingHandler();
        connection.Start(handler);
        return new RawPair(loopback, peer, connection, handler);
    }

    private sealed record RawPair(Loopback Loopback, RawPeer Peer, PeerConnection Connection, RecordingHandler Handler) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            await Peer.DisposeAsync();
            Loopback.Dispose();
        }
    }

    private static async Task SendAllAsync(PeerConnection connection, int count)
    {
        for (ulong i = 0; i < (ulong)count; i++)
        {
            await connection.SendAsync(RecordingHandler.Envelope(i), CancellationToken.None);
        }
    }
}
