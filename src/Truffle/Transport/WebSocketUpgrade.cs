using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Truffle.Transport;

/// <summary>
/// The listening side of the RFC 6455 opening handshake: reads an HTTP/1.1 request head, checks that it asks for a
/// WebSocket on <c>/ws</c>, and answers <c>101 Switching Protocols</c> or <c>400 Bad Request</c>. The sidecar hands
/// us a raw stream, so there is no HTTP server to do this.
/// </summary>
internal static class WebSocketUpgrade
{
    /// <summary>The longest request head read; a WebSocket client sends a few hundred bytes.</summary>
    public const int MaxRequestHeadBytes = 8 << 10;

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private static readonly byte[] BadRequest =
        "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"u8.ToArray();

    /// <summary>
    /// Reads the request and answers it. Returns null once 101 has been written, or why the request was refused
    /// (after writing 400 when there was a request to answer). The caller closes the stream on refusal.
    /// </summary>
    public static async Task<string?> AcceptAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxRequestHeadBytes];
        int filled = 0;
        int end;
        while ((end = buffer.AsSpan(0, filled).IndexOf(HeadEnd)) < 0)
        {
            if (filled == buffer.Length)
            {
                await WriteAsync(stream, BadRequest, cancellationToken).ConfigureAwait(false);
                return "request head over 8 KiB";
            }

            int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return "closed before the request head ended";
            }

            filled += read;
        }

        // RFC 6455 §4.1: the client sends nothing more until it has our response, so extra bytes are a broken client.
        string? key = null;
        string? problem = end + HeadEnd.Length != filled
            ? "data after the request head"
            : Validate(Encoding.Latin1.GetString(buffer, 0, end), out key);
        if (problem is not null)
        {
            await WriteAsync(stream, BadRequest, cancellationToken).ConfigureAwait(false);
            return problem;
        }

        string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Accept: {ComputeAccept(key!)}\r\n\r\n";
        await WriteAsync(stream, Encoding.ASCII.GetBytes(response), cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Why the request head (without its final empty line) is not a WebSocket upgrade on <c>/ws</c>, or null.</summary>
    public static string? Validate(string head, out string? key)
    {
        key = null;
        string[] lines = head.Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0] != "GET" || requestLine[1] != "/ws" || requestLine[2] != "HTTP/1.1")
        {
            return "not GET /ws HTTP/1.1";
        }

        string upgrade = "", connection = "", version = "";
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return "malformed header line";
            }

            string name = lines[i][..colon].Trim();
            string value = lines[i][(colon + 1)..].Trim();
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
            {
                upgrade += "," + value;
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                connection += "," + value;
            }
            else if (name.Equals("Sec-WebSocket-Version", StringComparison.OrdinalIgnoreCase))
            {
                version = value;
            }
            else if (name.Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))
            {
                key = value;
            }
        }

        return !HasToken(upgrade, "websocket") ? "no Upgrade: websocket"
            : !HasToken(connection, "upgrade") ? "no Connection: upgrade"
            : version != "13" ? "Sec-WebSocket-Version is not 13"
            : !IsValidKey(key) ? "missing or bad Sec-WebSocket-Key"
            : null;
    }

    /// <summary>The <c>Sec-WebSocket-Accept</c> value for a <c>Sec-WebSocket-Key</c> (RFC 6455 §4.2.2).</summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "RFC 6455 fixes SHA-1 here; it proves only that the server speaks WebSocket.")]
    public static string ComputeAccept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));

    private static bool HasToken(string list, string token)
    {
        foreach (string item in list.Split(','))
        {
            if (item.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsValidKey(string? key)
    {
        Span<byte> nonce = stackalloc byte[18];
        return key is not null && Convert.TryFromBase64String(key, nonce, out int length) && length == 16;
    }

    private static async Task WriteAsync(Stream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
