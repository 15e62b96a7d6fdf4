using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Truffle.Tests.Support;
using Truffle.Transport;
using Xunit;

namespace Truffle.Tests.Transport;

public sealed class OutgoingConnectorTests
{
    private static readonly TransportOptions Options = new();

    [Fact]
    public async Task Reconnects_after_the_server_closes_once_the_backoff_has_passed_on_the_injected_clock()
    {
        using var loopback = new Loopback();
        var time = new FakeTimeProvider();
        var accepted = Channel.CreateUnbounded<PeerConnection>();
        var connected = Channel.CreateUnbounded<IPeerConnection>();
        var waiting = Channel.CreateUnbounded<TimeSpan>();
        _ = AcceptForeverAsync(loopback, accepted.Writer);

        await using var connector = new OutgoingConnector(
            "srv",
            async ct => await PeerConnection.ConnectAsync(c => loopback.DialAsync(null, c), "ts-srv", Loopback.Hello("cli"), null, Options, NullLoggerFactory.Instance, ct),
            connection =>
            {
                connection.Start(new RecordingHandler());
                connected.Writer.TryWrite(connection);
            },
            Options,
            time,
            NullLogger.Instance,
            new Random(3),
            delay => waiting.Writer.TryWrite(delay));

        IPeerConnection first = await connected.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);
        PeerConnection firstServer = await accepted.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);
        await firstServer.CloseAsync(CloseCodes.Goodbye, "restart");
        await first.Completion.WaitAsync(Test.Timeout);

        TimeSpan delay = await waiting.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);
        Assert.InRange(delay, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
        Assert.False(connected.Reader.TryRead(out _));

        time.Advance(delay);
        IPeerConnection second = await connected.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);
        await using PeerConnection secondServer = await accepted.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);
        Assert.NotSame(first, second);
        Assert.Equal("srv", second.Remote.DeviceId);

        await connector.DisposeAsync();
        await second.Completion.WaitAsync(Test.Timeout);
    }

    [Fact]
    public async Task Failed_attempts_back_off_further_each_time_and_app_mismatch_waits_the_maximum()
    {
        var time = new FakeTimeProvider();
        var waiting = Channel.CreateUnbounded<TimeSpan>();
        int attempts = 0;
        await using var connector = new OutgoingConnector(
            "nowhere",
            _ => Interlocked.Increment(ref attempts) <= 4
                ? Task.FromException<IPeerConnection>(new IOException("refused"))
                : Task.FromException<IPeerConnection>(new HandshakeException(CloseCodes.AppMismatch, "other app")),
            _ => Assert.Fail("nothing connects"),
            Options,
            time,
            NullLogger.Instance,
            new Random(5),
            delay => waiting.Writer.TryWrite(delay));

        // Each delay is waited out on the fake clock only once it was seen, so the loop moves one attempt at a time.
        for (int attempt = 0; attempt < 4; attempt++)
        {
            TimeSpan delay = await waiting.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);
            Assert.InRange(delay, Backoff.Delay(Options.ReconnectBaseDelay, Options.ReconnectMaxDelay, attempt, 0), Backoff.Delay(Options.ReconnectBaseDelay, Options.ReconnectMaxDelay, attempt, 1));
            time.Advance(delay);
        }

        for (int attempt = 0; attempt < 2; attempt++)
        {
            Assert.Equal(Options.ReconnectMaxDelay, await waiting.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout));
            time.Advance(Options.ReconnectMaxDelay);
        }
    }

    private static async Task AcceptForeverAsync(Loopback loopback, ChannelWriter<PeerConnection> accepted)
    {
        while (true)
        {
            PeerConnection connection;
            try
            {
                connection = await PeerConnection.AcceptAsync(
                    await loopback.AcceptAsync(Loopback.Identity("ts-cli")), Loopback.Hello("srv"), null, Options, NullLoggerFactory.Instance, CancellationToken.None);
            }
            catch (Exception ex) when (ex is TimeoutException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                return;
            }

            connection.Start(new RecordingHandler());
            accepted.TryWrite(connection);
        }
    }
}
