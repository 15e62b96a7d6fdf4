using System.Buffers;
using System.Collections.Immutable;
using MessagePack;
using Truffle.Wire;

namespace Truffle.Sync;

/// <summary>
/// Encodes sync messages as a MessagePack array whose first element is the <see cref="SyncMessageKind"/>:
/// <c>[1, store, owner, inc, baseSeq, seq, mask, bin]</c>, <c>[2, store, owner, inc, seq, bin]</c>,
/// <c>[3, [[store, owner, inc, seq], ...]]</c>, <c>[4, store, owner]</c>, <c>[5, owner, inc]</c>.
/// </summary>
internal static class SyncMessageCodec
{
    /// <summary>The longest store or device id accepted.</summary>
    public const int MaxIdLength = 256;

    /// <summary>The most entries a digest may carry.</summary>
    public const int MaxDigestEntries = 65_536;

    /// <summary>Encodes <paramref name="message"/> into a new array.</summary>
    public static byte[] Encode(SyncMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        switch (message)
        {
            case DeltaMessage d:
                writer.WriteArrayHeader(8);
                writer.Write((byte)SyncMessageKind.Delta);
                writer.Write(d.Store);
                writer.Write(d.Owner);
                writer.Write(d.Incarnation);
                writer.Write(d.BaseSeq);
                writer.Write(d.Seq);
                writer.Write(d.Mask.Bits);
                writer.Write(d.Values.Span);
                break;
            case SnapshotMessage s:
                writer.WriteArrayHeader(6);
                writer.Write((byte)SyncMessageKind.Snapshot);
                writer.Write(s.Store);
                writer.Write(s.Owner);
                writer.Write(s.Incarnation);
                writer.Write(s.Seq);
                writer.Write(s.Values.Span);
                break;
            case DigestMessage g:
                writer.WriteArrayHeader(2);
                writer.Write((byte)SyncMessageKind.Digest);
                writer.WriteArrayHeader(g.Entries.Length);
                foreach (DigestEntry e in g.Entries)
                {
                    writer.WriteArrayHeader(4);
                    writer.Write(e.Store);
                    writer.Write(e.Owner);
                    writer.Write(e.Incarnation);
                    writer.Write(e.Seq);
                }

                break;
            case RequestMessage r:
                writer.WriteArrayHeader(3);
                writer.Write((byte)SyncMessageKind.Request);
                writer.Write(r.Store);
                writer.Write(r.Owner);
                break;
            case GoodbyeMessage b:
                writer.WriteArrayHeader(3);
                writer.Write((byte)SyncMessageKind.Goodbye);
                writer.Write(b.Owner);
                writer.Write(b.Incarnation);
                break;
            default:
                throw new ArgumentException($"Unknown sync message {message.GetType().Name}.", nameof(message));
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes one message. Returns false, never throws, for anything that is not exactly one well-formed message
    /// (wrong shape, unknown kind, over-long ids, trailing bytes). The result's byte fields slice <paramref name="bytes"/>.
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> bytes, out SyncMessage? message)
    {
        message = null;
        try
        {
            var reader = new MessagePackReader(bytes);
            message = Read(ref reader, bytes);
            if (message is not null && !reader.End)
            {
                message = null;
            }
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            message = null;
        }

        return message is not null;
    }

    private static SyncMessage? Read(ref MessagePackReader reader, ReadOnlyMemory<byte> bytes)
    {
        int count = reader.ReadArrayHeader();
        if (count < 1 || reader.NextMessagePackType != MessagePackType.Integer)
        {
            return null;
        }

        var kind = (SyncMessageKind)reader.ReadByte();
        switch (kind)
        {
            case SyncMessageKind.Delta when count == 8:
            {
                string? store = ReadId(ref reader), owner = ReadId(ref reader);
                ulong inc = reader.ReadUInt64(), baseSeq = reader.ReadUInt64(), seq = reader.ReadUInt64();
                var mask = new MemberMask(reader.ReadUInt64());
                ReadOnlyMemory<byte>? values = ReadBin(ref reader, bytes);
                return store is null || owner is null || values is null || seq <= baseSeq
                    ? null
                    : new DeltaMessage(store, owner, inc, baseSeq, seq, mask, values.Value);
            }

            case SyncMessageKind.Snapshot when count == 6:
            {
                string? store = ReadId(ref reader), owner = ReadId(ref reader);
                ulong inc = reader.ReadUInt64(), seq = reader.ReadUInt64();
                ReadOnlyMemory<byte>? values = ReadBin(ref reader, bytes);
                return store is null || owner is null || values is null || seq == 0
                    ? null
                    : new SnapshotMessage(store, owner, inc, seq, values.Value);
            }

            case SyncMessageKind.Digest when count == 2:
                return ReadDigest(ref reader);
            case SyncMessageKind.Request when count == 3:
            {
                string? store = ReadId(ref reader), owner = ReadId(ref reader);
                return store is null || owner is null ? null : new RequestMessage(store, owner);
            }

            case SyncMessageKind.Goodbye when count == 3:
            {
                string? owner = ReadId(ref reader);
                ulong inc = reader.ReadUInt64();
                return owner is null ? null : new GoodbyeMessage(owner, inc);
            }

            default:
                return null;
        }
    }

    private static DigestMessage? ReadDigest(ref MessagePackReader reader)
    {
        int count = reader.ReadArrayHeader();
        if (count > MaxDigestEntries)
        {
            return null;
        }

        var entries = ImmutableArray.CreateBuilder<DigestEntry>(count);
        for (int i = 0; i < count; i++)
        {
            if (reader.ReadArrayHeader() != 4)
            {
                return null;
            }

            string? store = ReadId(ref reader), owner = ReadId(ref reader);
            ulong inc = reader.ReadUInt64(), seq = reader.ReadUInt64();
            if (store is null || owner is null)
            {
                return null;
            }

            entries.Add(new DigestEntry(store, owner, inc, seq));
        }

        return new DigestMessage(entries.MoveToImmutable());
    }

    private static string? ReadId(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            return null;
        }

        string? id = reader.ReadString();
        return id is { Length: > 0 and <= MaxIdLength } ? id : null;
    }

    // Slices the input rather than copying: a decoded message lives only as long as the receive call.
    private static ReadOnlyMemory<byte>? ReadBin(ref MessagePackReader reader, ReadOnlyMemory<byte> bytes)
    {
        if (reader.NextMessagePackType != MessagePackType.Binary)
        {
            return null;
        }

        ReadOnlySequence<byte>? bin = reader.ReadBytes();
        if (bin is not { } sequence)
        {
            return null;
        }

        long end = reader.Consumed;
        return bytes.Slice((int)(end - sequence.Length), (int)sequence.Length);
    }
}
