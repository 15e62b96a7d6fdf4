using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Truffle.Sidecar;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Sidecar;

public sealed class BridgeListenerTests
{
    private static readonly byte[] Token = BridgeBytes.Token(1);

    [Fact]
    public async Task Wrong_token_and_garbage_are_dropped_counted_and_logged_and_a_good_connection_still_gets_through()
    {
        var log = new RecordingLogger();
        await using var listener = new BridgeListener(Token, log, TruffleMetrics.Shared);
        using var rejected = new RejectionRecorder(listener.Port);

        Assert.True(await IsClosedByListener(listener.Port, BridgeBytes.Header(BridgeBytes.Token(2))));
        Assert.True(await IsClosedByListener(listener.Port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray().Concat(new byte[64]).ToArray()));
        await rejected.WaitForAsync(2);

        using var good = await ConnectAsync(listener.Port);
        await good.SendAsync(BridgeBytes.Header(Token, 0x01, 9417, "", "127.0.0.9:5000", """{"dnsName":"b.loopback","nodeId":"n9"}"""));
        await using var accepted = await listener.Incoming.ReadAsync().AsTask().WaitAsync(Test.Timeout);

        Assert.Equal(9417, accepted.Port);
        Assert.Equal("b.loopback", accepted.RemoteIdentity?.DnsName);
        Assert.Equal("n9", accepted.RemoteIdentity?.NodeId);
        await good.SendAsync("hi"u8.ToArray());
        byte[] buffer = new byte[2];
        await accepted.Stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Test.Timeout);
        Assert.Equal("hi"u8.ToArray(), buffer);
        Assert.Equal(2, rejected.Total);
        Assert.Equal(2, log.Entries.Count(e => e.Level == LogLevel.Warning && e.EventId == 3001));
    }

    [Fact]
    public async Task Silent_connection_is_dropped_after_the_header_deadline()
    {
        await using var listener = new BridgeListener(Token, new RecordingLogger(), TruffleMetrics.Shared, TimeSpan.FromMilliseconds(100));
        using var rejected = new RejectionRecorder(listener.Port);

        Assert.True(await IsClosedByListener(listener.Port, []));
        await rejected.WaitForAsync(1);
    }

    [Fact]
    public async Task Outgoing_connection_completes_the_dial_with_its_request_id()
    {
        await using var listener = new BridgeListener(Token, new RecordingLogger(), TruffleMetrics.Shared);
        var dial = listener.ExpectDial("req-7");

        using var client = await ConnectAsync(listener.Port);
        await client.SendAsync(BridgeBytes.Header(Token, 0x02, 80, "req-7", "b.loopback:80", "b.loopback"));
        await using var connection = await dial.WaitAsync(Test.Timeout);

        Assert.Equal(BridgeDirection.Outgoing, connection.Direction);
        Assert.Equal("b.loopback", connection.Target);
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Test.Timeout);
        return socket;
    }

    /// <summary>Sends <paramref name="bytes"/> and reports whether the listener then closed the connection.</summary>
    private static async Task<bool> IsClosedByListener(int port, byte[] bytes)
    {
        using var socket = await ConnectAsync(port);
        if (bytes.Length > 0)
        {
            await socket.SendAsync(bytes);
        }

        byte[] buffer = new byte[16];
        try
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Test.Timeout);
            return read == 0;
        }
        catch (SocketException)
        {
            return true; // reset: closed with unread data
        }
    }

    /// <summary>Counts <c>truffle.bridge.rejected</c> for one listener (tag <c>port</c>); tests run in parallel.</summary>
    private sealed class RejectionRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly int _port;
        private readonly SemaphoreSlim _measured = new(0);
        private long _total;

        public RejectionRecorder(int port)
        {
            _port = port;
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TruffleMetrics.MeterName && instrument.Name == "truffle.bridge.rejected")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>(OnMeasurement);
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public async Task WaitForAsync(long count)
        {
            while (Total < count)
            {
                Assert.True(await _measured.WaitAsync(Test.Timeout), $"only {Total} of {count} rejections were counted");
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _measured.Dispose();
        }

        private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "port" && tag.Value is int port && port == _port)
                {
                    Interlocked.Add(ref _total, value);
                    _measured.Release();
                }
            }
        }
    }
}
