using System.Net.Sockets;
using System.Net.WebSockets;
using Truffle.Tests.Support;
using Truffle.Transport;

namespace Truffle.Tests.Transport;

/// <summary>
/// A hand-driven WebSocket client (.NET's ClientWebSocket over a real loopback socket) that can send what a
/// <see cref="PeerConnection"/> never would: no hello, garbage, text, oversized messages.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly HttpMessageInvoker _invoker;

    private RawPeer(Socket socket)
    {
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = (_, _) => ValueTask.FromResult<Stream>(new NetworkStream(socket, ownsSocket: true)),
        });
    }

    public static async Task<RawPeer> ConnectAsync(Loopback loopback)
    {
        var peer = new RawPeer(await loopback.RawConnectAsync());
        await peer._socket.ConnectAsync(new Uri("ws://truffle/ws"), peer._invoker, CancellationToken.None).WaitAsync(Test.Timeout);
        return peer;
    }

    /// <summary>Does what a well-behaved peer does: hello, the server's hello, acceptance both ways.</summary>
    public async Task<Hello> HelloAsync(Hello hello)
    {
        await SendAsync(HelloCodec.Encode(hello));
        (WebSocketMessageType type, byte[] bytes) = await ReceiveAsync();
        Hello remote = HelloCodec.TryRead(bytes, out _) ?? throw new InvalidOperationException($"no hello but {type}");
        await SendAsync([]);
        (_, byte[] acceptance) = await ReceiveAsync();
        return acceptance.Length == 0 ? remote : throw new InvalidOperationException("no acceptance");
    }

    public Task SendAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Binary) =>
        _socket.SendAsync(bytes, type, true, CancellationToken.None).WaitAsync(Test.Timeout);

    public async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveAsync()
    {
        var message = new MemoryStream();
        byte[] buffer = new byte[64 << 10];
        while (true)
        {
            WebSocketReceiveResult result = await _socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Test.Timeout);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    /// <summary>Reads until the server's close frame, answers it, and returns its code.</summary>
    public async Task<int?> ReceiveCloseAsync()
    {
        while ((await ReceiveAsync()).Type != WebSocketMessageType.Close)
        {
        }

        await _socket.CloseOutputAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(Test.Timeout);
        return (int?)_socket.CloseStatus;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _invoker.Dispose();
        return ValueTask.CompletedTask;
    }
}
