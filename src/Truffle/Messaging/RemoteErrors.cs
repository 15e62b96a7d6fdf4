using System.Buffers;
using MessagePack;
using Truffle.Wire;

namespace Truffle.Messaging;

/// <summary>The payload of a <see cref="EnvelopeFlags.RemoteError"/> reply: a MessagePack array [exception type, message].</summary>
internal static class RemoteErrors
{
    /// <summary>Encodes the error a requester will see as a <see cref="RemoteHandlerException"/>.</summary>
    public static byte[] Encode(string type, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.Write(type);
        writer.Write(message);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes an error sent by another device. A malformed one is still an error, described as unreadable, and
    /// counted (the requester sees the exception, so it is not logged).
    /// </summary>
    public static (string Type, string Message) Decode(ReadOnlyMemory<byte> payload, TruffleMetrics metrics)
    {
        try
        {
            var reader = new MessagePackReader(payload);
            if (reader.ReadArrayHeader() >= 2)
            {
                return (reader.ReadString() ?? "Exception", reader.ReadString() ?? "");
            }
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            metrics.DecodeErrors.Add(1);
        }

        return ("Exception", "(the remote error could not be read)");
    }
}
