using Microsoft.Extensions.Logging;

namespace Truffle.Transport;

/// <summary>STUB — keeps one outgoing connection up, reconnecting with jittered exponential backoff.</summary>
internal sealed class OutgoingConnector : IAsyncDisposable
{
    public OutgoingConnector(
        string name,
        Func<CancellationToken, Task<PeerConnection>> connect,
        Action<PeerConnection> connected,
        TransportOptions options,
        TimeProvider timeProvider,
        ILogger logger) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
