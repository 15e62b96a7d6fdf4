using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Truffle.Sidecar;

/// <summary>Which way a bridged connection was opened.</summary>
internal enum BridgeDirection : byte
{
    /// <summary>A peer connected to one of our listeners.</summary>
    Incoming = 0x01,

    /// <summary>The answer to one of our dials.</summary>
    Outgoing = 0x02,
}

/// <summary>
/// The header the sidecar writes first on every bridge connection (SPEC §3), big-endian: magic <c>TRFF</c>,
/// version 1, the 32-byte session token, direction, u16 tailnet port, then requestId, remote address and identity as
/// u16-length-prefixed UTF-8. Every length is checked against its cap before anything is allocated.
/// </summary>
internal sealed record BridgeHeader(
    byte[] Token,
    BridgeDirection Direction,
    ushort Port,
    string RequestId,
    string RemoteAddress,
    string Identity)
{
    public const uint Magic = 0x54524646;
    public const byte Version = 0x01;
    public const int TokenLength = 32;
    public const int MaxRequestId = 128;
    public const int MaxRemoteAddress = 256;
    public const int MaxIdentity = 4096;

    /// <summary>magic + version + token + direction + port.</summary>
    public const int FixedLength = 4 + 1 + TokenLength + 1 + 2;

    /// <summary>Reads one header from <paramref name="stream"/>; throws <see cref="SidecarException"/> for a bad one.</summary>
    public static async ValueTask<BridgeHeader> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[Math.Max(FixedLength, MaxIdentity)];
        await ReadExactlyAsync(stream, buffer.AsMemory(0, FixedLength), cancellationToken).ConfigureAwait(false);

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        if (magic != Magic)
        {
            throw Bad($"bad magic 0x{magic:x8}");
        }

        if (buffer[4] != Version)
        {
            throw Bad($"unsupported version {buffer[4]}");
        }

        byte[] token = buffer.AsSpan(5, TokenLength).ToArray();
        var direction = (BridgeDirection)buffer[5 + TokenLength];
        if (direction is not (BridgeDirection.Incoming or BridgeDirection.Outgoing))
        {
            throw Bad($"bad direction {(byte)direction}");
        }

        ushort port = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(FixedLength - 2));
        string requestId = await ReadStringAsync(stream, buffer, "requestId", MaxRequestId, cancellationToken).ConfigureAwait(false);
        if (direction == BridgeDirection.Incoming && requestId.Length != 0)
        {
            throw Bad("an incoming header carries a requestId");
        }

        string remote = await ReadStringAsync(stream, buffer, "remote address", MaxRemoteAddress, cancellationToken).ConfigureAwait(false);
        string identity = await ReadStringAsync(stream, buffer, "identity", MaxIdentity, cancellationToken).ConfigureAwait(false);
        return new BridgeHeader(token, direction, port, requestId, remote, identity);
    }

    private static async ValueTask<string> ReadStringAsync(Stream stream, byte[] buffer, string name, int max, CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(stream, buffer.AsMemory(0, 2), cancellationToken).ConfigureAwait(false);
        int length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        if (length > max)
        {
            throw Bad($"{name} is {length} bytes, limit {max}");
        }

        if (length == 0)
        {
            return string.Empty;
        }

        await ReadExactlyAsync(stream, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        if (!Utf8.IsValid(buffer.AsSpan(0, length)))
        {
            throw Bad($"{name} is not valid UTF-8");
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static async ValueTask ReadExactlyAsync(Stream stream, Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new SidecarException(SidecarException.ProtocolErrorCode, "Bridge header: the connection ended inside the header.", e);
        }
    }

    private static SidecarException Bad(string what) =>
        new(SidecarException.ProtocolErrorCode, "Bridge header: " + what + ".");
}
