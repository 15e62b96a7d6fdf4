using System.Buffers.Binary;
using System.Diagnostics;

namespace Truffle.Wire;

/// <summary>
/// The W3C trace context (trace id, parent span id, flags) an envelope carries so that one operation is one trace
/// across devices. Kept as raw numbers: <see cref="ActivityTraceId"/> and <see cref="ActivitySpanId"/> are backed by
/// hex strings, so they are made only when a listener wants the activity.
/// </summary>
/// <param name="TraceHigh">The first 8 bytes of the 16-byte trace id, big-endian.</param>
/// <param name="TraceLow">The last 8 bytes of the trace id, big-endian.</param>
/// <param name="SpanId">The 8-byte id of the span that sent the envelope, big-endian.</param>
/// <param name="Flags">The W3C trace flags (bit 0: sampled).</param>
internal readonly record struct TraceContext(ulong TraceHigh, ulong TraceLow, ulong SpanId, byte Flags)
{
    /// <summary>The bytes of the wire form: trace id (16), span id (8), flags (1).</summary>
    public const int WireLength = 25;

    /// <summary>False for the default value, which stands for "no trace context" and is not written.</summary>
    public bool IsValid => (TraceHigh | TraceLow) != 0 && SpanId != 0;

    /// <summary>The context of the current activity, or none; allocates nothing.</summary>
    public static TraceContext Current => Activity.Current is { } activity ? From(activity) : default;

    /// <summary>The context an envelope sent under <paramref name="activity"/> carries.</summary>
    public static TraceContext From(Activity activity)
    {
        Span<byte> bytes = stackalloc byte[WireLength];
        activity.TraceId.CopyTo(bytes[..16]);
        activity.SpanId.CopyTo(bytes[16..24]);
        bytes[24] = (byte)activity.ActivityTraceFlags;
        return Read(bytes);
    }

    /// <summary>Reads the wire form; <paramref name="bytes"/> must be <see cref="WireLength"/> long.</summary>
    public static TraceContext Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
        bytes[24]);

    /// <summary>Writes the wire form into <paramref name="bytes"/>, which must be <see cref="WireLength"/> long.</summary>
    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64BigEndian(bytes, TraceHigh);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], TraceLow);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], SpanId);
        bytes[24] = Flags;
    }

    /// <summary>The parent context for an activity started from this one (marked remote); default when not valid.</summary>
    public ActivityContext ToActivityContext()
    {
        if (!IsValid)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[WireLength];
        Write(bytes);
        return new ActivityContext(
            ActivityTraceId.CreateFromBytes(bytes[..16]), ActivitySpanId.CreateFromBytes(bytes[16..24]), (ActivityTraceFlags)bytes[24], isRemote: true);
    }
}
