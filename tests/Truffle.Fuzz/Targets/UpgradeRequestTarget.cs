using System.Text;
using Truffle.Transport;

namespace Truffle.Fuzz.Targets;

/// <summary>
/// <see cref="WebSocketUpgrade.AcceptAsync"/> reading a request head from a stream: it answers 101 or 400 and
/// returns why it refused, never throwing for what the client sent.
/// </summary>
internal sealed class UpgradeRequestTarget : FuzzTarget
{
    public override string Name => "upgrade";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        const string Valid = "GET /ws HTTP/1.1\r\nHost: 100.64.0.1:9417\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        yield return ("valid", Encoding.ASCII.GetBytes(Valid));
        yield return ("lists", Encoding.ASCII.GetBytes(Valid.Replace("Upgrade: websocket", "upgrade: h2c, WebSocket", StringComparison.Ordinal)
            .Replace("Connection: Upgrade", "connection: keep-alive, upgrade", StringComparison.Ordinal)));
        yield return ("old-version", Encoding.ASCII.GetBytes(Valid.Replace("Version: 13", "Version: 8", StringComparison.Ordinal)));
    }

    protected override void Decode(ReadOnlyMemory<byte> input)
    {
        using var stream = new ScriptedStream(input);
        // The stream completes synchronously, so waiting here blocks nothing.
        WebSocketUpgrade.AcceptAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
    }
}
