using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Truffle.Tests.Support;
using Truffle.Transport;

namespace Truffle.Tests.Transport;

/// <summary>
/// A hand-driven WebSocket client (.NET's WebSocket over a real loopback socket, upgraded by hand) that can send what a
/// <see cref="PeerConnection"/> never would: no hello, garbage, text, oversized messages.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly NetworkStream _stream;
    private readonly WebSocket _socket;

    private RawPeer(NetworkStream stream)
    {
        _stream = stream;
        // No heartbeat of its own: the tests that write raw frames must be the only writer.
        _socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
    }

    /// <summary>Upgrades by hand (a few bytes, no HTTP stack to warm up), so short hello timeouts stay deterministic.</summary>
    public static async Task<RawPeer> ConnectAsync(Loopback loopback, int? socketBufferBytes = null)
    {
        var stream = new NetworkStream(await loopback.RawConnectAsync(socketBufferBytes), ownsSocket: true);
        const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /ws HTTP/1.1\r\nHost: truffle\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));

        // Byte by byte, so nothing after the response head is consumed.
        var head = new List<byte>();
        byte[] one = new byte[1];
        while (head.Count < 4 || !head.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            await stream.ReadExactlyAsync(one).AsTask().WaitAsync(Test.Timeout);
            head.Add(one[0]);
        }

        string response = Encoding.ASCII.GetString([.. head]);
        if (!response.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal) || !response.Contains(WebSocketUpgrade.ComputeAccept(Key), StringComparison.Ordinal))
        {
            throw new InvalidOperationException("bad upgrade response: " + response);
        }

        return new RawPeer(stream);
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

    /// <summary>Writes bytes to the stream under the WebSocket, as they are: frames no WebSocket would send.</summary>
    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask().WaitAsync(Test.Timeout);

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

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _stream.DisposeAsync();
    }
}
