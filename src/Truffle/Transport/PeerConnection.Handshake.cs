using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Truffle.Sidecar;

namespace Truffle.Transport;

internal sealed partial class PeerConnection
{
    // SPEC §3: the sidecar gives up a dial after 30 s; the upgrade answer follows within the hello timeout.
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(30);

    private static readonly Uri WebSocketUri = new("ws://truffle/ws");

    /// <summary>
    /// Accepts a bridged incoming connection: reads the HTTP upgrade request (8 KiB at most, within
    /// <see cref="TransportOptions.HelloTimeout"/>) and answers 101 or 400, then exchanges hellos and checks the
    /// peer's (4001 other app, 4002 missing, late or bad hello, 4003 hello's tailscaleId is not the identity the
    /// sidecar reported, or no identity was reported, or <paramref name="admit"/> refused the hello). On any failure the
    /// bridge connection is disposed.
    /// </summary>
    /// <param name="incoming">The bridged connection and the identity the sidecar reported for it.</param>
    /// <param name="local">Our hello.</param>
    /// <param name="admit">The layer above's verdict on the peer's hello; null admits every peer that passed.</param>
    /// <param name="options">Timeouts and limits.</param>
    /// <param name="loggerFactory">Where the connection logs.</param>
    /// <param name="cancellationToken">Aborts the handshake.</param>
    /// <exception cref="HandshakeException">Refused by either side; <see cref="HandshakeException.CloseCode"/> says why (1002: bad upgrade request).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>The stream's own failures (<see cref="IOException"/>, <see cref="WebSocketException"/>) propagate as they are.</remarks>
    public static async Task<PeerConnection> AcceptAsync(
        BridgeConnection incoming, Hello local, HelloAdmission? admit, TransportOptions options, ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ILogger logger = loggerFactory.CreateLogger<PeerConnection>();
        WebSocket? socket = null;
        try
        {
            string? refused;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(options.HelloTimeout);
                try
                {
                    refused = await WebSocketUpgrade.AcceptAsync(incoming.Stream, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    refused = "no upgrade request in time";
                }
            }

            if (refused is not null)
            {
                options.Metrics.Transport.HandshakeRejected((int)WebSocketCloseStatus.ProtocolError);
                TransportLog.UpgradeRefused(logger, incoming.RemoteAddress, refused);
                throw new HandshakeException((int)WebSocketCloseStatus.ProtocolError, $"Upgrade request refused: {refused}.");
            }

            // No timeout for .NET's keep-alive: it sends a heartbeat every interval and the watchdog applies the
            // deadline, which .NET's own would miss for a peer that sends but never reads or answers.
            var watched = new WatchedStream(incoming.Stream, options.Time);
            socket = WebSocket.CreateFromStream(watched, new WebSocketCreationOptions
            {
                IsServer = true,
                KeepAliveInterval = options.KeepAliveInterval,
                KeepAliveTimeout = Timeout.InfiniteTimeSpan,
            });
            Hello remote = await HelloExchange.RunAsync(
                socket, local, incoming.RemoteIdentity?.NodeId, admit, options, logger, incoming.RemoteAddress, cancellationToken).ConfigureAwait(false);
            TransportLog.Connected(logger, remote.DeviceId, remote.DeviceName, false);
            return new PeerConnection(socket, watched, incoming, null, remote, isOutgoing: false, options, logger);
        }
        catch
        {
            socket?.Abort();
            socket?.Dispose();
            await incoming.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Dials with <see cref="ClientWebSocket"/> over the stream <paramref name="dial"/> returns (GET /ws, HTTP/1.1),
    /// then exchanges hellos; the peer's hello must name <paramref name="expectedTailscaleId"/> and pass
    /// <paramref name="admit"/> (else 4003). The dialled bridge connection is owned by the result, or disposed on failure.
    /// </summary>
    /// <exception cref="HandshakeException">Refused by either side; <see cref="HandshakeException.CloseCode"/> says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Dial failures and the stream's own failures (<see cref="WebSocketException"/>, ...) propagate as they are.</remarks>
    public static async Task<PeerConnection> ConnectAsync(
        Func<CancellationToken, Task<BridgeConnection>> dial, string expectedTailscaleId, Hello local, HelloAdmission? admit,
        TransportOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dial);
        ArgumentNullException.ThrowIfNull(expectedTailscaleId);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ILogger logger = loggerFactory.CreateLogger<PeerConnection>();
        BridgeConnection? bridge = null;
        WatchedStream? watched = null;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, token) =>
            {
                bridge = await dial(token).ConfigureAwait(false);
                watched = new WatchedStream(bridge.Stream, options.Time);
                return watched;
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version11;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = Timeout.InfiniteTimeSpan;
        try
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(DialTimeout + options.HelloTimeout);
                await socket.ConnectAsync(WebSocketUri, invoker, deadline.Token).ConfigureAwait(false);
            }

            Hello remote = await HelloExchange.RunAsync(
                socket, local, expectedTailscaleId, admit, options, logger, bridge!.RemoteAddress, cancellationToken).ConfigureAwait(false);
            TransportLog.Connected(logger, remote.DeviceId, remote.DeviceName, true);
            return new PeerConnection(socket, watched!, bridge, invoker, remote, isOutgoing: true, options, logger);
        }
        catch
        {
            socket.Abort();
            socket.Dispose();
            invoker.Dispose();
            if (bridge is not null)
            {
                await bridge.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }
}
