using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Sidecar;
using Truffle.Tests.Support;
using Truffle.Transport;

namespace Truffle.Tests.Transport;

/// <summary>
/// Real loopback TCP standing in for the sidecar's bridge: each accepted or dialled socket becomes a
/// <see cref="BridgeConnection"/> the way <see cref="BridgeListener"/> would hand it over.
/// </summary>
internal sealed class Loopback : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public Loopback() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The next incoming connection, carrying <paramref name="identity"/> as the sidecar's WhoIs answer.</summary>
    public async Task<BridgeConnection> AcceptAsync(SidecarIdentity? identity, int? socketBufferBytes = null)
    {
        Socket socket = await _listener.AcceptSocketAsync().WaitAsync(Test.Timeout);
        Tune(socket, socketBufferBytes);
        return Wrap(socket, BridgeDirection.Incoming, identity);
    }

    /// <summary>Dials the listener, as the sidecar's answer to <c>bridge:dial</c>.</summary>
    public async Task<BridgeConnection> DialAsync(int? socketBufferBytes, CancellationToken cancellationToken) =>
        Wrap(await RawConnectAsync(socketBufferBytes, cancellationToken), BridgeDirection.Outgoing, null);

    public async Task<Socket> RawConnectAsync(int? socketBufferBytes = null, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Tune(socket, socketBufferBytes);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), cancellationToken).AsTask().WaitAsync(Test.Timeout, cancellationToken);
        return socket;
    }

    public void Dispose() => _listener.Dispose();

    public static SidecarIdentity Identity(string nodeId) => new($"{nodeId}.loopback", null, null, nodeId);

    public static Hello Hello(string device, string app = "app", string? tailscaleId = null, int version = Truffle.Transport.Hello.CurrentVersion) =>
        new(version, app, device, $"{device} name", "desktop", "linux", tailscaleId ?? "ts-" + device, 7, PreferPrimary: true, Priority: 3,
            ["relay", "sync"], new Dictionary<string, string> { ["k"] = "v" });

    /// <summary>Accepts on one side and connects on the other, both with real sockets; returns both ends.</summary>
    public static async Task<(PeerConnection Server, PeerConnection Client)> PairAsync(
        Hello serverHello, Hello clientHello, TransportOptions? serverOptions = null, TransportOptions? clientOptions = null,
        string? identitySeenByServer = null, string? identityExpectedByClient = null, int? socketBufferBytes = null)
    {
        using var loopback = new Loopback();
        SidecarIdentity identity = Identity(identitySeenByServer ?? clientHello.TailscaleId);
        Task<PeerConnection> accept = Task.Run(async () => await PeerConnection.AcceptAsync(
            await loopback.AcceptAsync(identity, socketBufferBytes), serverHello, null, serverOptions ?? new TransportOptions(), NullLoggerFactory.Instance, CancellationToken.None));
        Task<PeerConnection> connect = PeerConnection.ConnectAsync(
            ct => loopback.DialAsync(socketBufferBytes, ct), identityExpectedByClient ?? serverHello.TailscaleId, clientHello, null,
            clientOptions ?? new TransportOptions(), NullLoggerFactory.Instance, CancellationToken.None);
        try
        {
            await Task.WhenAll(accept, connect).WaitAsync(Test.Timeout);
        }
        catch
        {
            // Each side's own exception is what the test asserts; don't leak the other side's connection.
            if (accept.IsCompletedSuccessfully)
            {
                await accept.Result.DisposeAsync();
            }

            if (connect.IsCompletedSuccessfully)
            {
                await connect.Result.DisposeAsync();
            }

            throw;
        }

        return (await accept, await connect);
    }

    private static BridgeConnection Wrap(Socket socket, BridgeDirection direction, SidecarIdentity? identity) =>
        new(socket, new NetworkStream(socket, ownsSocket: false), direction, 9417, socket.RemoteEndPoint!.ToString()!, identity,
            direction == BridgeDirection.Outgoing ? "peer.loopback" : "");

    private static void Tune(Socket socket, int? bufferBytes)
    {
        socket.NoDelay = true;
        if (bufferBytes is { } bytes)
        {
            socket.SendBufferSize = bytes;
            socket.ReceiveBufferSize = bytes;
        }
    }
}
