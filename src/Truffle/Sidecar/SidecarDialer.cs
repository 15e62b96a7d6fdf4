using System.Threading.Channels;

namespace Truffle.Sidecar;

/// <summary>
/// The data plane's client side: dials through the sidecar and hands over the bridged connections, incoming and
/// outgoing, that the <see cref="BridgeListener"/> accepted.
/// </summary>
internal sealed class SidecarDialer : IAsyncDisposable
{
    private static readonly TimeSpan DefaultDialTimeout = TimeSpan.FromSeconds(35); // the sidecar's own is 30 s

    private readonly BridgeListener _bridge;
    private readonly SidecarChannel _channel;

    public SidecarDialer(BridgeListener bridge, SidecarChannel channel)
    {
        _bridge = bridge;
        _channel = channel;
    }

    /// <summary>The next connection a peer opened to one of our listeners.</summary>
    public async ValueTask<BridgeConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _bridge.Incoming.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new ObjectDisposedException(nameof(SidecarClient), e);
        }
    }

    /// <summary>Asks the sidecar to dial and waits for the bridged connection that answers.</summary>
    public async Task<BridgeConnection> DialAsync(string target, int port, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        string requestId = Guid.NewGuid().ToString("N");
        Task<BridgeConnection> connected = _bridge.ExpectDial(requestId);
        try
        {
            _channel.Send(SidecarProtocol.Dial(requestId, target, port));
            return await connected.WaitAsync(timeout ?? DefaultDialTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            var error = new SidecarException(SidecarException.TimeoutCode, $"Dial to {target}:{port} timed out.", e);
            await AbandonAsync(requestId, connected, error).ConfigureAwait(false);
            throw error;
        }
        catch (Exception e)
        {
            await AbandonAsync(requestId, connected, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fails the dial with this requestId, if it is still pending.</summary>
    public void Fail(string requestId, Exception error) => _bridge.FailDial(requestId, error);

    /// <summary>Fails every pending dial.</summary>
    public void FailAll(Exception error) => _bridge.FailAllDials(error);

    public ValueTask DisposeAsync() => _bridge.DisposeAsync();

    /// <summary>Gives up a dial; a connection that won the race with the timeout is closed, not leaked.</summary>
    private async ValueTask AbandonAsync(string requestId, Task<BridgeConnection> connected, Exception error)
    {
        _bridge.FailDial(requestId, error);
        if (connected.IsCompletedSuccessfully)
        {
            await connected.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}
