using System.Buffers.Binary;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Truffle.Tests.Support;
using Truffle.Transport;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Transport;

/// <summary>
/// What a member that stops reading, floods answers or sends a frame that never ends can cost a node: a connection
/// over real loopback sockets to a peer that speaks the raw wire. Deadlines run on a fake clock.
/// </summary>
public sealed class ResourceBoundsTests
{
    private const int OneMiB = 1 << 20;

    [Fact]
    public async Task Answers_to_a_peer_that_never_reads_stop_at_the_queue_limit_and_the_peer_is_cut_as_a_slow_consumer()
    {
        // The attack of issue 10: 256 messages of 1 MiB, each answered past the send bound (as a pong is), read by no one.
        const int Messages = 256;
        long before = GC.GetTotalMemory(forceFullCollection: true);
        await using RawServer raw = await RawServer.StartAsync(new TransportOptions(), socketBufferBytes: 64 << 10, answerEach: true);

        int sent = 0;
        try
        {
            byte[] ping = Encode(RecordingHandler.Envelope(0, payloadBytes: OneMiB - 1024));
            for (; sent < Messages; sent++)
            {
                await raw.Peer.SendAsync(ping);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            // The server cut the connection: the rest of the flood has nowhere to go.
        }

        ConnectionClosed closed = await raw.Handler.ClosedAsync();
        long after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(CloseCodes.SlowConsumer, closed.CloseCode);
        Assert.Equal("slow_consumer", closed.Reason);
        Assert.True(raw.Answered < Messages, $"all {Messages} answers were queued");
        Assert.True(raw.MostQueued <= new TransportOptions().MaxQueuedBytes + OneMiB, $"{raw.MostQueued} bytes were queued");
        // Generous: the shared array pool keeps the buffers the queue grew through (about 64 MiB); unbounded, the
        // answers alone would hold 256 MiB.
        Assert.True(after - before < 128L * OneMiB, $"the heap grew by {(after - before) / OneMiB} MiB after {sent} messages");
    }

    [Fact]
    public async Task A_send_queue_that_stays_over_its_bound_is_cut_at_the_slow_consumer_timeout_and_frees_waiting_senders()
    {
        var clock = new FakeTimeProvider();
        var options = new TransportOptions { Time = clock, SendQueueBytes = 64 << 10, MaxBatchBytes = 16 << 10 };
        await using RawServer raw = await RawServer.StartAsync(options, socketBufferBytes: 16 << 10);
        using var cuts = new TagRecorder(TruffleMetrics.Shared.TransportDisconnects, "reason", "slow_consumer");

        // Far more than the socket buffers hold: the writer stalls with the queue over its bound.
        for (ulong i = 0; i < 256; i++)
        {
            Assert.True(raw.Connection.SendOverBound(RecordingHandler.Envelope(i, payloadBytes: 16 << 10)));
        }

        Assert.True(raw.Connection.QueuedBytes > options.SendQueueBytes, $"only {raw.Connection.QueuedBytes} bytes stayed queued");

        // What a relay waits on before it reads its source again.
        Task room = raw.Connection.WaitForRoomAsync(CancellationToken.None).AsTask();
        Assert.False(room.IsCompleted);

        clock.Advance(options.SlowConsumerTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(raw.Connection.IsClosing, "cut before the slow-consumer timeout");

        clock.Advance(PeerConnection.WatchPeriod(options));
        Assert.True(raw.Connection.IsClosing, "not cut at the slow-consumer timeout");
        await room.WaitAsync(Test.Timeout);
        ConnectionClosed closed = await raw.Handler.ClosedAsync();
        Assert.Equal(CloseCodes.SlowConsumer, closed.CloseCode);
        Assert.Equal("slow_consumer", closed.Reason);
        Assert.True(cuts.Total >= 1);
        Assert.False(raw.Connection.SendOverBound(RecordingHandler.Envelope(0)));
    }

    [Fact]
    public async Task A_frame_header_claiming_2_to_the_62_bytes_is_cut_at_the_keepalive_timeout_of_15_seconds()
    {
        var clock = new FakeTimeProvider();
        var options = new TransportOptions { Time = clock };
        Assert.Equal(TimeSpan.FromSeconds(15), options.KeepAliveTimeout);
        await using RawServer raw = await RawServer.StartAsync(options);

        // Binary, final; masked, 64-bit length 2^62; a mask key; then not one byte of the payload.
        byte[] header = new byte[14];
        header[0] = 0x82;
        header[1] = 0x80 | 127;
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), 1UL << 62);
        long readBefore = raw.Connection.Watched.BytesRead;
        await raw.Peer.SendRawAsync(header);
        await Until(() => raw.Connection.Watched.BytesRead >= readBefore + header.Length && raw.Connection.Watched.WaitingSince != 0);

        clock.Advance(options.KeepAliveTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(raw.Connection.IsClosing, "cut before the keep-alive timeout");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(raw.Connection.IsClosing, "not cut at the keep-alive timeout");
        ConnectionClosed closed = await raw.Handler.ClosedAsync();
        Assert.Equal(CloseCodes.KeepAliveTimeout, closed.CloseCode);
        Assert.Equal("keepalive_timeout", closed.Reason);
    }

    [Fact]
    public async Task A_peer_that_sends_nothing_is_cut_at_the_keepalive_timeout_but_a_live_one_is_kept_by_the_heartbeat()
    {
        // Real clocks: the heartbeat is .NET's, every KeepAliveInterval, and the live pair sends nothing else.
        var options = new TransportOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromSeconds(1) };
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(
            Loopback.Hello("srv"), Loopback.Hello("cli"), serverOptions: options, clientOptions: options);
        await using (server)
        await using (client)
        {
            var atServer = new RecordingHandler();
            server.Start(atServer);
            client.Start(new RecordingHandler());

            // Two silent raw peers in turn, each started after the live pair: their cuts are the clock that says the
            // live pair has been idle for more than two timeouts.
            for (int i = 0; i < 2; i++)
            {
                await using RawServer raw = await RawServer.StartAsync(options);
                ConnectionClosed closed = await raw.Handler.ClosedAsync();
                Assert.Equal(CloseCodes.KeepAliveTimeout, closed.CloseCode);
                Assert.Equal("keepalive_timeout", closed.Reason);
            }

            Assert.False(atServer.Closed.IsCompleted, "the heartbeat did not keep a live connection");
            await client.SendAsync(RecordingHandler.Envelope(42), CancellationToken.None);
            Assert.Equal(42UL, (await atServer.NextAsync()).Sequence);
        }
    }

    private static byte[] Encode(Envelope envelope) => EnvelopeCodecTests.Encode(envelope);

    private static async Task Until(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Test.Timeout);
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }

    /// <summary>A real connection accepted from a raw peer that has said hello and then does only what the test says.</summary>
    private sealed class RawServer : IAsyncDisposable, IConnectionHandler
    {
        private readonly Loopback _loopback;
        private readonly bool _answerEach;
        private long _mostQueued;
        private int _answered;

        private RawServer(Loopback loopback, bool answerEach)
        {
            _loopback = loopback;
            _answerEach = answerEach;
        }

        public RawPeer Peer { get; private set; } = null!;

        public PeerConnection Connection { get; private set; } = null!;

        public RecordingHandler Handler { get; } = new();

        public int Answered => Volatile.Read(ref _answered);

        public long MostQueued => Interlocked.Read(ref _mostQueued);

        public static async Task<RawServer> StartAsync(TransportOptions options, int? socketBufferBytes = null, bool answerEach = false)
        {
            var server = new RawServer(new Loopback(), answerEach);
            Task<PeerConnection> accept = Task.Run(async () => await PeerConnection.AcceptAsync(
                await server._loopback.AcceptAsync(Loopback.Identity("ts-raw"), socketBufferBytes), Loopback.Hello("srv"), null, options,
                NullLoggerFactory.Instance, CancellationToken.None));
            server.Peer = await RawPeer.ConnectAsync(server._loopback, socketBufferBytes);
            await server.Peer.HelloAsync(Loopback.Hello("raw"));
            server.Connection = await accept.WaitAsync(Test.Timeout);
            server.Connection.Start(server);
            return server;
        }

        public void OnEnvelope(IPeerConnection connection, in Envelope envelope)
        {
            if (_answerEach && ((PeerConnection)connection).SendOverBound(envelope))
            {
                Interlocked.Increment(ref _answered);
                long queued = ((PeerConnection)connection).QueuedBytes;
                long most;
                while (queued > (most = Interlocked.Read(ref _mostQueued)) && Interlocked.CompareExchange(ref _mostQueued, queued, most) != most)
                {
                }
            }
        }

        public void OnClosed(IPeerConnection connection, ConnectionClosed closed) => Handler.OnClosed(connection, closed);

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            await Peer.DisposeAsync();
            _loopback.Dispose();
        }
    }
}
