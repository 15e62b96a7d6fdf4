using System.Buffers;
using System.ComponentModel;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace Truffle.Wire;

/// <summary>
/// Encodings shared by generated formatters. Types without a native MessagePack form are written exactly as
/// MessagePack-CSharp's standard formatters write them, so either side can read the other.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WireFormat
{
    /// <summary>
    /// Reads a map key as UTF-8 bytes. A key that is not a string is skipped and reported as empty, which no member
    /// matches, so its value is skipped too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> ReadKey(ref MessagePackReader reader) =>
        reader.NextMessagePackType == MessagePackType.String && reader.TryReadStringSpan(out ReadOnlySpan<byte> span)
            ? span
            : ReadKeySlow(ref reader);

    private static ReadOnlySpan<byte> ReadKeySlow(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            reader.Skip();
            return default;
        }

        // The key straddles two segments of a multi-segment sequence: rare, so a copy is fine.
        ReadOnlySequence<byte>? sequence = reader.ReadStringSequence();
        return sequence is { } s ? s.ToArray() : default;
    }

    /// <summary>Writes a decimal as its invariant string, as MessagePack-CSharp does.</summary>
    public static void WriteDecimal(ref MessagePackWriter writer, decimal value)
    {
        Span<byte> utf8 = stackalloc byte[64];
        if (!System.Buffers.Text.Utf8Formatter.TryFormat(value, utf8, out int written))
        {
            throw new MessagePackSerializationException("Cannot format decimal.");
        }

        writer.WriteStringHeader(written);
        utf8[..written].CopyTo(writer.GetSpan(written));
        writer.Advance(written);
    }

    /// <summary>Reads a decimal written as a string (or, leniently, as any MessagePack number).</summary>
    public static decimal ReadDecimal(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                string text = reader.ReadString() ?? string.Empty;
                return decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            case MessagePackType.Float:
                return (decimal)reader.ReadDouble();
            case MessagePackType.Integer:
                return reader.ReadInt64();
            default:
                throw new MessagePackSerializationException($"Unexpected {reader.NextMessagePackType} for a decimal.");
        }
    }

    /// <summary>Writes [utc timestamp, offset minutes], as MessagePack-CSharp does.</summary>
    public static void WriteDateTimeOffset(ref MessagePackWriter writer, DateTimeOffset value)
    {
        writer.WriteArrayHeader(2);
        writer.Write(new DateTime(value.Ticks, DateTimeKind.Utc));
        writer.Write((short)value.Offset.TotalMinutes);
    }

    /// <summary>Reads [utc timestamp, offset minutes].</summary>
    public static DateTimeOffset ReadDateTimeOffset(ref MessagePackReader reader)
    {
        int count = reader.ReadArrayHeader();
        if (count != 2)
        {
            throw new MessagePackSerializationException($"A DateTimeOffset is an array of 2, not {count}.");
        }

        DateTime utc = reader.ReadDateTime();
        short offsetMinutes = reader.ReadInt16();
        return new DateTimeOffset(utc.Ticks, TimeSpan.FromMinutes(offsetMinutes));
    }

    /// <summary>Writes a Guid as its 36-character "D" string, as MessagePack-CSharp does.</summary>
    public static void WriteGuid(ref MessagePackWriter writer, Guid value)
    {
        const int Length = 36;
        writer.WriteStringHeader(Length);
        value.TryFormat(writer.GetSpan(Length), out _, "D");
        writer.Advance(Length);
    }

    /// <summary>Reads a Guid written as a string (or as 16 raw bytes).</summary>
    public static Guid ReadGuid(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType == MessagePackType.Binary)
        {
            ReadOnlySequence<byte> raw = reader.ReadBytes() ?? default;
            return raw.Length == 16
                ? new Guid(raw.ToArray())
                : throw new MessagePackSerializationException($"A binary Guid has 16 bytes, not {raw.Length}.");
        }

        // Parse the UTF-8 bytes in place: no string is allocated for a well-formed Guid.
        if (reader.TryReadStringSpan(out ReadOnlySpan<byte> utf8))
        {
            return Utf8Parser.TryParse(utf8, out Guid guid, out int consumed) && consumed == utf8.Length
                ? guid
                : throw new MessagePackSerializationException("A Guid string must have the 36-character \"D\" form.");
        }

        string text = reader.ReadString() ?? throw new MessagePackSerializationException("A Guid cannot be nil.");
        return Guid.Parse(text);
    }

    /// <summary>Writes a byte array as <c>bin</c>, or nil for null.</summary>
    public static void WriteBytes(ref MessagePackWriter writer, byte[]? value)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.Write(value.AsSpan());
    }

    /// <summary>Reads <c>bin</c> (or nil) into a new array.</summary>
    public static byte[]? ReadBytes(ref MessagePackReader reader) => reader.ReadBytes() is { } bytes ? bytes.ToArray() : null;

    /// <summary>
    /// A new array of <paramref name="length"/> items. Generated code calls this rather than <c>new T[n]</c> so that
    /// arrays of arrays need no special syntax; the length was already checked against the bytes left to read.
    /// </summary>
    public static T[] NewArray<T>(int length) => length == 0 ? [] : new T[length];

    /// <summary>The generated formatter of an annotated type declared in another assembly.</summary>
    public static IMessagePackFormatter<T> FormatterOf<T>()
        where T : ITruffleSerializable<T> => T.Formatter;

    /// <summary>
    /// The failure of reading a map that lacks a member with no default: a device on another version of the app does
    /// not write it (see docs/schema-evolution.md). Generated formatters throw it, so it is a decode failure like any
    /// other malformed input, with the type and the member named.
    /// </summary>
    /// <param name="type">The C# type being read.</param>
    /// <param name="member">The C# member that has no value.</param>
    /// <param name="key">The member's key on the wire.</param>
    public static MessagePackSerializationException MissingMember(string type, string member, string key) =>
        new($"{type}.{member} (key '{key}') is missing: the sender's version of {type} does not write it and it has no default. " +
            "Give it a default or make it nullable, or keep the sender's key with [TruffleName].");
}
