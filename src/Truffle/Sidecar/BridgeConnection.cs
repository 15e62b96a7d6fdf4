using System.Net.Sockets;

namespace Truffle.Sidecar;

/// <summary>
/// One network connection handed over by the sidecar: a plain stream to the remote node, plus who it is. Dispose it
/// to close the connection.
/// </summary>
internal sealed class BridgeConnection : IAsyncDisposable
{
    private readonly Socket _socket;

    internal BridgeConnection(Socket socket, NetworkStream stream, BridgeDirection direction, int port, string remoteAddress, SidecarIdentity? remoteIdentity, string target)
    {
        _socket = socket;
        Stream = stream;
        Direction = direction;
        Port = port;
        RemoteAddress = remoteAddress;
        RemoteIdentity = remoteIdentity;
        Target = target;
    }

    /// <summary>The bytes to and from the remote node.</summary>
    public Stream Stream { get; }

    /// <summary>Whether a peer connected to us or we dialed it.</summary>
    public BridgeDirection Direction { get; }

    /// <summary>The tailnet port: our listener's port (incoming) or the dialed port (outgoing).</summary>
    public int Port { get; }

    /// <summary>The remote end's <c>ip:port</c>.</summary>
    public string RemoteAddress { get; }

    /// <summary>Who connected to us (incoming, when the sidecar could tell); null for outgoing connections.</summary>
    public SidecarIdentity? RemoteIdentity { get; }

    /// <summary>The dial target (outgoing); empty for incoming connections.</summary>
    public string Target { get; }

    /// <summary>Signals the end of our sending; the remote end reads end-of-stream and can still answer.</summary>
    public void CompleteWrites() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>
    /// Closes the socket at once, failing any read or write in progress; the stream does not own the socket, so
    /// disposing the stream alone leaves a pending read waiting for data.
    /// </summary>
    internal void Abort() => _socket.Dispose();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
