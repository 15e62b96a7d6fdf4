using System.Buffers;
using System.Text;
using System.Text.Unicode;
using MessagePack;

namespace Truffle.Wire;

/// <summary>
/// Writes and reads <see cref="Envelope"/>s as a MessagePack array of ten elements in field order: kind (int),
/// namespace, type, from, to (str), sequence, term, correlation id (uint), flags (int), payload (bin); then the
/// optional elements, written only when they (or a later one) differ from their default: a request's timeout in
/// milliseconds (uint), then the W3C trace context (bin of 25 bytes: trace id, parent span id, flags; or nil). Readers skip
/// trailing elements a newer version adds, so an older reader skips the trace context.
/// </summary>
internal static class EnvelopeCodec
{
    /// <summary>The number of array elements every envelope has.</summary>
    public const int FieldCount = 10;

    /// <summary>The number of array elements with the optional ones this version knows.</summary>
    public const int FieldCountWithTimeout = FieldCount + 1;

    /// <summary>The number of array elements with the trace context, the last optional element this version knows.</summary>
    public const int FieldCountWithTrace = FieldCount + 2;

    private const int NamespaceSlot = 0;
    private const int TypeSlot = 1;
    private const int FromSlot = 2;
    private const int ToSlot = 3;

    /// <summary>Creates a string cache with the slots <see cref="TryRead"/> uses; one per read loop.</summary>
    public static Utf8StringCache NewStringCache() => new(4);

    /// <summary>Appends <paramref name="envelope"/> to <paramref name="output"/>; check it with <see cref="Check"/> first.</summary>
    public static void Write(IBufferWriter<byte> output, in Envelope envelope)
    {
        var writer = new MessagePackWriter(output);
        bool traced = envelope.Trace.IsValid;
        writer.WriteArrayHeader(traced ? FieldCountWithTrace : envelope.TimeoutMs != 0 ? FieldCountWithTimeout : FieldCount);
        writer.Write((byte)envelope.Kind);
        writer.Write(envelope.Namespace);
        writer.Write(envelope.Type);
        writer.Write(envelope.From);
        writer.Write(envelope.To);
        writer.Write(envelope.Sequence);
        writer.Write(envelope.Term);
        writer.Write(envelope.CorrelationId);
        writer.Write((byte)envelope.Flags);
        writer.Write(envelope.Payload.Span);
        if (traced || envelope.TimeoutMs != 0)
        {
            writer.Write(envelope.TimeoutMs);
        }

        if (traced)
        {
            writer.WriteBinHeader(TraceContext.WireLength);
            envelope.Trace.Write(writer.GetSpan(TraceContext.WireLength));
            writer.Advance(TraceContext.WireLength);
        }

        writer.Flush();
    }

    /// <summary>Why <paramref name="envelope"/> may not be sent under <paramref name="limits"/>, or null when it may.</summary>
    public static string? Check(in Envelope envelope, in EnvelopeLimits limits)
    {
        if (envelope.Namespace is null || envelope.Type is null || envelope.From is null || envelope.To is null)
        {
            return "null_field";
        }

        if (envelope.Namespace.Length == 0 || envelope.Type.Length == 0)
        {
            return "name_empty";
        }

        if (!FitsName(envelope.Namespace, limits) || !FitsName(envelope.Type, limits)
            || !FitsName(envelope.From, limits) || !FitsName(envelope.To, limits))
        {
            return "name_too_long";
        }

        return envelope.Payload.Length > limits.MaxPayloadBytes ? "payload_too_large"
            : (byte)envelope.Kind > (byte)EnvelopeKind.Route ? "kind"
            : null;
    }

    /// <summary>
    /// Reads the next envelope. Whatever the status but <see cref="EnvelopeReadStatus.Malformed"/>, the reader is left
    /// past the whole value. The payload is a slice of the reader's input when that input is one segment (no copy):
    /// it lives only as long as that memory.
    /// </summary>
    /// <param name="reader">Positioned at the envelope; not at its end.</param>
    /// <param name="limits">Name and payload limits; a longer one makes the envelope invalid.</param>
    /// <param name="strings">Optional per-connection cache for namespace, type, from and to.</param>
    /// <param name="envelope">The envelope when the status is <see cref="EnvelopeReadStatus.Ok"/>.</param>
    /// <param name="problem">A short reason (a metric tag) when the status is not <see cref="EnvelopeReadStatus.Ok"/>.</param>
    public static EnvelopeReadStatus TryRead(
        ref MessagePackReader reader, in EnvelopeLimits limits, Utf8StringCache? strings, out Envelope envelope, out string? problem)
    {
        envelope = default;
        problem = null;
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Array)
            {
                MessagePackSkip.Value(ref reader);
                problem = "not_array";
                return EnvelopeReadStatus.Invalid;
            }

            int count = reader.ReadArrayHeader();
            if (count < FieldCount)
            {
                SkipElements(ref reader, count);
                problem = "too_few_fields";
                return EnvelopeReadStatus.Invalid;
            }

            ulong kind = ReadUnsigned(ref reader, ref problem);
            string ns = ReadName(ref reader, limits, strings, NamespaceSlot, allowEmpty: false, ref problem);
            string type = ReadName(ref reader, limits, strings, TypeSlot, allowEmpty: false, ref problem);
            string from = ReadName(ref reader, limits, strings, FromSlot, allowEmpty: true, ref problem);
            string to = ReadName(ref reader, limits, strings, ToSlot, allowEmpty: true, ref problem);
            ulong sequence = ReadUnsigned(ref reader, ref problem);
            ulong term = ReadUnsigned(ref reader, ref problem);
            ulong correlationId = ReadUnsigned(ref reader, ref problem);
            ulong flags = ReadUnsigned(ref reader, ref problem);
            ReadOnlyMemory<byte> payload = ReadPayload(ref reader, limits, ref problem);
            bool hasTimeout = count >= FieldCountWithTimeout;
            ulong timeoutMs = hasTimeout ? ReadUnsigned(ref reader, ref problem) : 0;
            bool hasTrace = count >= FieldCountWithTrace;
            TraceContext trace = hasTrace ? ReadTrace(ref reader, ref problem) : default;
            SkipElements(ref reader, count - (hasTrace ? FieldCountWithTrace : hasTimeout ? FieldCountWithTimeout : FieldCount));

            if (kind > (ulong)EnvelopeKind.Route)
            {
                problem ??= "kind";
            }

            if (flags > byte.MaxValue)
            {
                problem ??= "flags";
            }

            if (timeoutMs > uint.MaxValue)
            {
                problem ??= "timeout";
            }

            if (problem is not null)
            {
                return EnvelopeReadStatus.Invalid;
            }

            envelope = new Envelope((EnvelopeKind)kind, ns, type, from, to, sequence, term, correlationId, (EnvelopeFlags)flags, payload, (uint)timeoutMs, trace);
            return EnvelopeReadStatus.Ok;
        }
        // The reader reports a broken length as an argument out of range, not only as end of stream.
        catch (Exception ex) when (MalformedInput.Is(ex))
        {
            problem = "malformed";
            return EnvelopeReadStatus.Malformed;
        }
    }

    private static bool FitsName(string value, in EnvelopeLimits limits) =>
        // No UTF-16 char needs more than three UTF-8 bytes, so short strings need no count.
        value.Length * 3 <= limits.MaxNameBytes || Encoding.UTF8.GetByteCount(value) <= limits.MaxNameBytes;

    private static void SkipElements(ref MessagePackReader reader, int count)
    {
        for (int i = 0; i < count; i++)
        {
            MessagePackSkip.Value(ref reader);
        }
    }

    private static ulong ReadUnsigned(ref MessagePackReader reader, ref string? problem)
    {
        byte code = reader.NextCode;
        if (code <= MessagePackCode.MaxFixInt || code is MessagePackCode.UInt8 or MessagePackCode.UInt16 or MessagePackCode.UInt32 or MessagePackCode.UInt64)
        {
            return reader.ReadUInt64();
        }

        // Other writers may encode a non-negative number with a signed format.
        if (code is MessagePackCode.Int8 or MessagePackCode.Int16 or MessagePackCode.Int32 or MessagePackCode.Int64)
        {
            long value = reader.ReadInt64();
            if (value >= 0)
            {
                return (ulong)value;
            }

            problem ??= "negative";
            return 0;
        }

        MessagePackSkip.Value(ref reader);
        problem ??= code >= MessagePackCode.MinNegativeFixInt ? "negative" : "field_type";
        return 0;
    }

    private static string ReadName(
        ref MessagePackReader reader, in EnvelopeLimits limits, Utf8StringCache? strings, int slot, bool allowEmpty, ref string? problem)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            MessagePackSkip.Value(ref reader);
            problem ??= "field_type";
            return string.Empty;
        }

        ReadOnlySpan<byte> utf8;
        if (!reader.TryReadStringSpan(out utf8))
        {
            ReadOnlySequence<byte> sequence = reader.ReadStringSequence()!.Value;
            if (sequence.Length > limits.MaxNameBytes)
            {
                problem ??= "name_too_long";
                return string.Empty;
            }

            utf8 = sequence.ToArray();
        }

        if (utf8.Length > limits.MaxNameBytes)
        {
            problem ??= "name_too_long";
            return string.Empty;
        }

        if (utf8.Length == 0)
        {
            if (!allowEmpty)
            {
                problem ??= "name_empty";
            }

            return string.Empty;
        }

        if (!Utf8.IsValid(utf8))
        {
            problem ??= "not_utf8";
            return string.Empty;
        }

        return problem is not null ? string.Empty
            : strings is not null ? strings.Get(slot, utf8)
            : Encoding.UTF8.GetString(utf8);
    }

    private static TraceContext ReadTrace(ref MessagePackReader reader, ref string? problem)
    {
        // nil lets another writer add a later element without a trace context.
        if (reader.TryReadNil())
        {
            return default;
        }

        if (reader.NextMessagePackType != MessagePackType.Binary)
        {
            MessagePackSkip.Value(ref reader);
            problem ??= "field_type";
            return default;
        }

        ReadOnlySequence<byte> bytes = reader.ReadBytes()!.Value;
        if (bytes.Length != TraceContext.WireLength)
        {
            problem ??= "trace_context";
            return default;
        }

        Span<byte> copy = stackalloc byte[TraceContext.WireLength];
        bytes.CopyTo(copy);
        return TraceContext.Read(copy);
    }

    private static ReadOnlyMemory<byte> ReadPayload(ref MessagePackReader reader, in EnvelopeLimits limits, ref string? problem)
    {
        if (reader.NextMessagePackType != MessagePackType.Binary)
        {
            MessagePackSkip.Value(ref reader);
            problem ??= "field_type";
            return default;
        }

        ReadOnlySequence<byte> bytes = reader.ReadBytes()!.Value;
        if (bytes.Length > limits.MaxPayloadBytes)
        {
            problem ??= "payload_too_large";
            return default;
        }

        // A one-segment input (a received WebSocket message) yields a slice of it; only a split input is copied.
        return bytes.IsSingleSegment ? bytes.First : bytes.ToArray();
    }
}
