using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Sidecar;

/// <summary>
/// The host side of the data plane: listens on <c>127.0.0.1:0</c> for the sidecar's bridge connections, reads each
/// header within a deadline, checks the session token in constant time and drops (closes, counts and logs) anything
/// else while it keeps accepting. Incoming connections are queued on <see cref="Incoming"/>; outgoing ones complete
/// the dial waiting for their requestId.
/// </summary>
internal sealed class BridgeListener : IAsyncDisposable
{
    public static readonly TimeSpan DefaultHeaderTimeout = TimeSpan.FromSeconds(2);

    private readonly byte[] _token;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly TimeSpan _headerTimeout;
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<BridgeConnection> _incoming = Channel.CreateUnbounded<BridgeConnection>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<BridgeConnection>> _dials = new(StringComparer.Ordinal);
    private readonly Task _acceptLoop;
    private int _disposed;

    public BridgeListener(ReadOnlySpan<byte> token, ILogger logger, TruffleMetrics metrics, TimeSpan? headerTimeout = null)
    {
        if (token.Length != BridgeHeader.TokenLength)
        {
            throw new ArgumentException("The session token must be 32 bytes.", nameof(token));
        }

        _token = token.ToArray();
        _logger = logger;
        _metrics = metrics;
        _headerTimeout = headerTimeout ?? DefaultHeaderTimeout;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Listen(64);
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The loopback port the sidecar connects to (<c>bridgePort</c>).</summary>
    public int Port { get; }

    /// <summary>Connections peers opened to our listeners, with the header already checked.</summary>
    public ChannelReader<BridgeConnection> Incoming => _incoming.Reader;

    /// <summary>Waits for the outgoing connection answering the <c>bridge:dial</c> with this requestId.</summary>
    public Task<BridgeConnection> ExpectDial(string requestId)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var pending = new TaskCompletionSource<BridgeConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_dials.TryAdd(requestId, pending))
        {
            throw new InvalidOperationException($"A dial with requestId '{requestId}' is already pending.");
        }

        return pending.Task;
    }

    /// <summary>Fails the pending dial with this requestId, if it is still pending.</summary>
    public void FailDial(string requestId, Exception error)
    {
        if (_dials.TryRemove(requestId, out var pending))
        {
            pending.TrySetException(error);
        }
    }

    /// <summary>Fails every pending dial (the sidecar that was to answer them exited).</summary>
    public void FailAllDials(Exception error)
    {
        foreach (string requestId in _dials.Keys)
        {
            FailDial(requestId, error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _incoming.Writer.TryComplete();
        while (_incoming.Reader.TryRead(out var connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        FailAllDials(new ObjectDisposedException(nameof(BridgeListener)));
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A failed accept (e.g. the peer reset before we took it) must not end the loop.
                _metrics.InternalError("bridge_accept");
                SidecarLog.AcceptFailed(_logger, e);
                continue;
            }

            _ = HandshakeAsync(accepted); // never throws: every failure is a rejection
        }
    }

    private async Task HandshakeAsync(Socket socket)
    {
        string? remote = socket.RemoteEndPoint?.ToString();
        var stream = new NetworkStream(socket, ownsSocket: false);
        BridgeHeader header;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            deadline.CancelAfter(_headerTimeout);
            try
            {
                header = await BridgeHeader.ReadAsync(stream, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                await RejectAsync(socket, stream, remote, "header-timeout", $"no header within {_headerTimeout.TotalSeconds:0.#} s").ConfigureAwait(false);
                return;
            }
        }
        catch (SidecarException e)
        {
            await RejectAsync(socket, stream, remote, "bad-header", e.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            await RejectAsync(socket, stream, remote, "connection-error", e.Message).ConfigureAwait(false);
            return;
        }

        if (!CryptographicOperations.FixedTimeEquals(header.Token, _token))
        {
            await RejectAsync(socket, stream, remote, "bad-token", "wrong session token").ConfigureAwait(false);
            return;
        }

        socket.NoDelay = true;
        if (header.Direction == BridgeDirection.Incoming)
        {
            var connection = new BridgeConnection(socket, stream, header.Direction, header.Port, header.RemoteAddress,
                SidecarProtocol.ParseIdentityJson(header.Identity), string.Empty);
            if (!_incoming.Writer.TryWrite(connection))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            return;
        }

        if (!_dials.TryRemove(header.RequestId, out var pending))
        {
            await RejectAsync(socket, stream, remote, "unknown-request", $"no pending dial with requestId '{header.RequestId}'").ConfigureAwait(false);
            return;
        }

        var outgoing = new BridgeConnection(socket, stream, header.Direction, header.Port, header.RemoteAddress, null, header.Identity);
        if (!pending.TrySetResult(outgoing))
        {
            await outgoing.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RejectAsync(Socket socket, NetworkStream stream, string? remote, string reason, string detail)
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        socket.Dispose();
        if (_stopping.IsCancellationRequested)
        {
            return; // shutting down: not a rejection
        }

        _metrics.BridgeRejected.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("port", Port));
        SidecarLog.BridgeRejected(_logger, remote, detail);
    }
}
