using Truffle.Sidecar;
using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>STUB — to be implemented (see the transport work item).</summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    /// <summary>The peer's hello, checked against the app id and the network identity.</summary>
    public Hello Remote => throw new NotImplementedException();

    /// <summary>True when this side dialled.</summary>
    public bool IsOutgoing => throw new NotImplementedException();

    /// <summary>Completes when the connection has closed and <see cref="IConnectionHandler.OnClosed"/> has run.</summary>
    public Task Completion => throw new NotImplementedException();

    /// <summary>Starts the read and write loops; envelopes go to <paramref name="handler"/>.</summary>
    public void Start(IConnectionHandler handler) => throw new NotImplementedException();

    /// <summary>Queues an envelope, waiting while the send queue is over its bound.</summary>
    public ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Waits until the send queue is under its bound (or the connection closed).</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Queues an envelope unless the queue is over its bound or the connection is closed; never waits.</summary>
    public bool TrySend(in Envelope envelope) => throw new NotImplementedException();

    /// <summary>Queues a control envelope even when the queue is over its bound; false only when closed.</summary>
    public bool SendControl(in Envelope envelope) => throw new NotImplementedException();

    /// <summary>Sends what is queued (bounded wait), then closes with <paramref name="code"/>.</summary>
    public ValueTask CloseAsync(int code, string reason) => throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => throw new NotImplementedException();

    /// <summary>Accepts a bridged incoming connection: HTTP upgrade, hello exchange, checks (4001/4002/4003).</summary>
    public static Task<PeerConnection> AcceptAsync(
        BridgeConnection incoming, Hello local, TransportOptions options, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>Dials with ClientWebSocket over the stream <paramref name="dial"/> returns, then the hello exchange.</summary>
    public static Task<PeerConnection> ConnectAsync(
        Func<CancellationToken, Task<BridgeConnection>> dial, string expectedTailscaleId, Hello local, TransportOptions options,
        Microsoft.Extensions.Logging.ILoggerFactory loggerFactory, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
