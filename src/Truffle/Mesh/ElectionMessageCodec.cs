using System.Buffers;
using MessagePack;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>
/// The wire form of an <see cref="ElectionMessage"/>: a MessagePack array <c>[kind, term, granted]</c>, with a fourth
/// element, the candidate, for a vote. Readers skip trailing elements a newer version may add, and refuse (never throw
/// on) anything else, including a term above <see cref="MaxTerm"/>.
/// </summary>
internal static class ElectionMessageCodec
{
    /// <summary>
    /// The largest term any member may name. Terms grow by one per election round, so no honest mesh reaches it in
    /// any lifetime, and one far below <see cref="ulong.MaxValue"/> can never wrap to zero when a node adds one.
    /// </summary>
    public const ulong MaxTerm = 1UL << 62;

    private const int FieldCount = 3;

    /// <summary>Writes <paramref name="message"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, ElectionMessage message)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(message.Candidate is null ? FieldCount : FieldCount + 1);
        writer.Write((byte)message.Kind);
        writer.Write(message.Term);
        writer.Write(message.Granted);
        if (message.Candidate is not null)
        {
            writer.Write(message.Candidate);
        }

        writer.Flush();
    }

    /// <summary>The payload bytes of <paramref name="message"/> (cold path: a few per second).</summary>
    public static byte[] Encode(ElectionMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(16);
        Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a payload; false (and a default message) for anything that is not a valid election message.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> payload, out ElectionMessage message) =>
        TryRead(new ReadOnlySequence<byte>(payload), out message);

    /// <inheritdoc cref="TryRead(ReadOnlyMemory{byte}, out ElectionMessage)"/>
    public static bool TryRead(ReadOnlySequence<byte> payload, out ElectionMessage message)
    {
        message = default;
        var reader = new MessagePackReader(payload);
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Array)
            {
                return false;
            }

            int count = reader.ReadArrayHeader();
            if (count < FieldCount
                || reader.NextMessagePackType != MessagePackType.Integer)
            {
                return false;
            }

            long kind = reader.ReadInt64();
            if (kind is < 0 or > (long)ElectionMessageKind.SupportQuery
                || reader.NextMessagePackType != MessagePackType.Integer)
            {
                return false;
            }

            ulong term = reader.ReadUInt64();
            if (term > MaxTerm || reader.NextMessagePackType != MessagePackType.Boolean)
            {
                return false;
            }

            bool granted = reader.ReadBoolean();
            string? candidate = null;
            if (kind == (long)ElectionMessageKind.Vote)
            {
                if (count <= FieldCount || reader.NextMessagePackType != MessagePackType.String
                    || reader.ReadString() is not { Length: > 0 and <= Transport.HelloLimits.MaxIdLength } named)
                {
                    return false;
                }

                candidate = named;
            }

            for (int i = candidate is null ? FieldCount : FieldCount + 1; i < count; i++)
            {
                reader.Skip();
            }

            message = new ElectionMessage((ElectionMessageKind)kind, term, granted, candidate);
            return true;
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            // Garbage from a peer is that peer's problem; the caller drops the envelope.
            message = default;
            return false;
        }
    }
}
