using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Truffle.Sidecar;
using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>
/// The network through a running sidecar: its peer list and watch, and WebSocket connections over its bridge, each
/// through the handshake (<see cref="PeerConnection.AcceptAsync"/>, <see cref="PeerConnection.ConnectAsync"/>).
/// At most <see cref="TransportOptions.MaxPendingHandshakes"/> incoming handshakes run at once; more are closed.
/// </summary>
internal sealed class SidecarPeerNetwork : IPeerNetwork
{
    private readonly SidecarClient _sidecar;
    private readonly TransportOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    /// <param name="sidecar">A started sidecar; it stays its owner's.</param>
    /// <param name="status">What the sidecar reported when it started.</param>
    /// <param name="options">Port, limits and timings of the connections.</param>
    /// <param name="loggerFactory">Where connections log.</param>
    public SidecarPeerNetwork(SidecarClient sidecar, SidecarStatus status, TransportOptions options, ILoggerFactory loggerFactory)
    {
        _sidecar = sidecar;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SidecarPeerNetwork>();
        Local = new NetworkNode(status.Hostname, status.NodeId);
    }

    /// <inheritdoc/>
    public NetworkNode Local { get; }

    /// <inheritdoc/>
    public event EventHandler<SidecarPeerChange>? PeerChanged
    {
        add => _sidecar.PeerChanged += value;
        remove => _sidecar.PeerChanged -= value;
    }

    /// <inheritdoc/>
    public event EventHandler? Restarted;

    /// <inheritdoc/>
    public async Task<IAsyncDisposable> ListenAsync(Hello local, HelloAdmission admit, Action<IPeerConnection> accepted, CancellationToken cancellationToken)
    {
        await _sidecar.ListenAsync(_options.Port, cancellationToken).ConfigureAwait(false);
        _sidecar.Restarted += OnRestarted;
        return new Listener(this, local, admit, accepted);
    }

    /// <inheritdoc/>
    public async Task<IPeerConnection> ConnectAsync(SidecarPeer peer, Hello local, HelloAdmission admit, CancellationToken cancellationToken) =>
        await PeerConnection.ConnectAsync(
            dial => _sidecar.DialAsync(peer.DnsName, _options.Port, cancellationToken: dial),
            peer.Id, local, admit, _options, _loggerFactory, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public Task<IReadOnlyList<SidecarPeer>> GetPeersAsync(CancellationToken cancellationToken) => _sidecar.GetPeersAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask WatchPeersAsync(CancellationToken cancellationToken) => _sidecar.WatchPeersAsync(cancellationToken);

    private void OnRestarted(object? sender, SidecarStatus status) => Restarted?.Invoke(this, EventArgs.Empty);

    /// <summary>The accept loop: one handshake task per incoming bridge connection, bounded.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        private readonly SidecarPeerNetwork _network;
        private readonly Hello _local;
        private readonly HelloAdmission _admit;
        private readonly Action<IPeerConnection> _accepted;
        private readonly CancellationTokenSource _stopping = new();
        private readonly SemaphoreSlim _handshakes;
        private readonly Task _loop;

        public Listener(SidecarPeerNetwork network, Hello local, HelloAdmission admit, Action<IPeerConnection> accepted)
        {
            _network = network;
            _local = local;
            _admit = admit;
            _accepted = accepted;
            _handshakes = new SemaphoreSlim(network._options.MaxPendingHandshakes);
            _loop = AcceptLoopAsync(_stopping.Token);
        }

        public async ValueTask DisposeAsync()
        {
            _network._sidecar.Restarted -= _network.OnRestarted;
            _stopping.Cancel();
            await _loop.ConfigureAwait(false);
            _stopping.Dispose();
            _handshakes.Dispose();
        }

        private async Task AcceptLoopAsync(CancellationToken cancellationToken)
        {
            var pending = new List<Task>();
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    BridgeConnection incoming = await _network._sidecar.AcceptAsync(cancellationToken).ConfigureAwait(false);
                    if (!_handshakes.Wait(0, CancellationToken.None))
                    {
                        _network._options.Metrics.Transport.HandshakeRejected(CloseCodes.TryAgainLater);
                        TransportLog.TooManyHandshakes(_network._logger, incoming.RemoteAddress);
                        await incoming.DisposeAsync().ConfigureAwait(false);
                        continue;
                    }

                    pending.RemoveAll(t => t.IsCompleted);
                    pending.Add(HandshakeAsync(incoming, cancellationToken));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping.
            }
            catch (ObjectDisposedException)
            {
                // The sidecar client was disposed under us.
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
        }

        private async Task HandshakeAsync(BridgeConnection incoming, CancellationToken cancellationToken)
        {
            try
            {
                PeerConnection connection = await PeerConnection.AcceptAsync(incoming, _local, _admit, _network._options, _network._loggerFactory, cancellationToken)
                    .ConfigureAwait(false);
                try
                {
                    _accepted(connection);
                }
                catch
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
            catch (Exception e) when (e is HandshakeException or OperationCanceledException)
            {
                // Logged and counted by the handshake; the stream is closed.
            }
            catch (Exception e) when (e is WebSocketException or IOException)
            {
                // Whoever connected broke the WebSocket protocol (an unmasked frame, a reset): the peer's fault.
                _network._options.Metrics.Transport.ProtocolError("handshake");
                TransportLog.ProtocolError(_network._logger, incoming.RemoteAddress, e.Message);
                await incoming.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // one bad peer must not end the accept loop
            catch (Exception e)
#pragma warning restore CA1031
            {
                _network._options.Metrics.InternalError("accept");
                TransportLog.HandshakeFailed(_network._logger, incoming.RemoteAddress, e);
                await incoming.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _handshakes.Release();
            }
        }
    }
}
