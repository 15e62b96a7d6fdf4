using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Tests.Support;
using Truffle.Transport;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Transport;

public sealed class HandshakeTests
{
    [Fact]
    public async Task Handshake_succeeds_both_ways_and_each_side_sees_the_others_hello()
    {
        (PeerConnection server, PeerConnection client) = await Loopback.PairAsync(Loopback.Hello("srv"), Loopback.Hello("cli"));
        await using (server)
        await using (client)
        {
            Assert.Equal("cli", server.Remote.DeviceId);
            Assert.Equal("ts-cli", server.Remote.TailscaleId);
            Assert.Equal(["relay", "sync"], server.Remote.Capabilities);
            Assert.False(server.IsOutgoing);
            Assert.Equal("ts-cli", server.RemoteIdentity?.NodeId);
            Assert.Equal("srv", client.Remote.DeviceId);
            Assert.Equal("srv name", client.Remote.DeviceName);
            Assert.True(client.IsOutgoing);
        }
    }

    [Fact]
    public async Task App_mismatch_refuses_both_sides_with_4001()
    {
        (HandshakeException server, HandshakeException client) = await BothRefusedAsync(
            Loopback.Hello("srv", app: "app-one"), Loopback.Hello("cli", app: "app-two"));

        Assert.Equal(CloseCodes.AppMismatch, server.CloseCode);
        Assert.Equal(CloseCodes.AppMismatch, client.CloseCode);
    }

    [Fact]
    public async Task Hello_that_names_another_node_than_the_network_is_refused_with_4003_on_both_sides()
    {
        (HandshakeException server, HandshakeException client) = await BothRefusedAsync(
            Loopback.Hello("srv"), Loopback.Hello("cli", tailscaleId: "ts-impostor"), identitySeenByServer: "ts-cli");

        Assert.Equal(CloseCodes.IdentityMismatch, server.CloseCode);
        Assert.Equal(CloseCodes.IdentityMismatch, client.CloseCode);
    }

    [Fact]
    public async Task Dialled_node_that_is_not_the_expected_one_is_refused_with_4003_on_both_sides()
    {
        using var rejected = new TagRecorder(TruffleMetrics.Shared.HandshakeRejected, "code", CloseCodes.IdentityMismatch);
        (HandshakeException server, HandshakeException client) = await BothRefusedAsync(
            Loopback.Hello("srv"), Loopback.Hello("cli"), identityExpectedByClient: "ts-someone-else");

        Assert.Equal(CloseCodes.IdentityMismatch, server.CloseCode);
        Assert.Equal(CloseCodes.IdentityMismatch, client.CloseCode);
        await rejected.WaitForAsync(2);
    }

    [Theory]
    [InlineData(1)] // the release before the election's evidence: it would never vote where members can see it
    [InlineData(Hello.CurrentVersion + 1)]
    public async Task Other_protocol_version_is_refused_with_4002_naming_both(int version)
    {
        (HandshakeException server, HandshakeException client) = await BothRefusedAsync(
            Loopback.Hello("srv"), Loopback.Hello("cli", version: version));

        Assert.Equal(CloseCodes.BadHello, server.CloseCode);
        Assert.Equal(CloseCodes.BadHello, client.CloseCode);
        Assert.Contains($"protocol version {version}, expected {Hello.CurrentVersion}", server.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_hello_is_refused_with_4002_after_the_hello_timeout()
    {
        using var loopback = new Loopback();
        var options = new TransportOptions { HelloTimeout = TimeSpan.FromMilliseconds(200) };
        Task<PeerConnection> accept = Task.Run(async () => await PeerConnection.AcceptAsync(
            await loopback.AcceptAsync(Loopback.Identity("ts-cli")), Loopback.Hello("srv"), null, options, NullLoggerFactory.Instance, CancellationToken.None));
        await using RawPeer peer = await RawPeer.ConnectAsync(loopback);

        Task<int?> peerSaw = peer.ReceiveCloseAsync();
        HandshakeException refused = await Assert.ThrowsAsync<HandshakeException>(() => accept.WaitAsync(Test.Timeout));

        Assert.Equal(CloseCodes.BadHello, refused.CloseCode);
        Assert.Equal(CloseCodes.BadHello, await peerSaw);
    }

    [Fact]
    public async Task Garbage_http_request_gets_400_and_the_stream_is_closed()
    {
        using var loopback = new Loopback();
        Task<PeerConnection> accept = Task.Run(async () => await PeerConnection.AcceptAsync(
            await loopback.AcceptAsync(Loopback.Identity("ts-cli")), Loopback.Hello("srv"), null, new TransportOptions(), NullLoggerFactory.Instance, CancellationToken.None));
        using Socket socket = await loopback.RawConnectAsync();

        await socket.SendAsync("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: nonsense\r\n\r\n"u8.ToArray());
        string response = await ReadToEndAsync(socket);

        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
        HandshakeException refused = await Assert.ThrowsAsync<HandshakeException>(() => accept.WaitAsync(Test.Timeout));
        Assert.Equal(1002, refused.CloseCode);
    }

    private static async Task<(HandshakeException Server, HandshakeException Client)> BothRefusedAsync(
        Hello serverHello, Hello clientHello, string? identitySeenByServer = null, string? identityExpectedByClient = null)
    {
        using var loopback = new Loopback();
        Task<PeerConnection> accept = Task.Run(async () => await PeerConnection.AcceptAsync(
            await loopback.AcceptAsync(Loopback.Identity(identitySeenByServer ?? clientHello.TailscaleId)), serverHello, null, new TransportOptions(),
            NullLoggerFactory.Instance, CancellationToken.None));
        Task<PeerConnection> connect = PeerConnection.ConnectAsync(
            ct => loopback.DialAsync(null, ct), identityExpectedByClient ?? serverHello.TailscaleId, clientHello, null, new TransportOptions(),
            NullLoggerFactory.Instance, CancellationToken.None);

        HandshakeException server = await Assert.ThrowsAsync<HandshakeException>(() => accept.WaitAsync(Test.Timeout));
        HandshakeException client = await Assert.ThrowsAsync<HandshakeException>(() => connect.WaitAsync(Test.Timeout));
        return (server, client);
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Test.Timeout)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }
}
