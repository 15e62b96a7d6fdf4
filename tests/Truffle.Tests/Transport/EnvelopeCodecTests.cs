using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Transport;

public sealed class EnvelopeCodecTests
{
    private static readonly EnvelopeLimits Limits = EnvelopeLimits.Default;

    public static TheoryData<string> Cases => ["plain", "empty_payload", "max_names", "broadcast", "extremes", "multibyte"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Round_trip_keeps_every_field(string name)
    {
        Envelope original = Sample(name);
        byte[] bytes = Encode(original);

        var reader = new MessagePackReader(bytes);
        Assert.Equal(EnvelopeReadStatus.Ok, EnvelopeCodec.TryRead(ref reader, Limits, null, out Envelope read, out string? problem));
        Assert.Null(problem);
        Assert.True(reader.End);
        Assert.Equal(original.Kind, read.Kind);
        Assert.Equal(original.Namespace, read.Namespace);
        Assert.Equal(original.Type, read.Type);
        Assert.Equal(original.From, read.From);
        Assert.Equal(original.To, read.To);
        Assert.Equal(original.Sequence, read.Sequence);
        Assert.Equal(original.Term, read.Term);
        Assert.Equal(original.CorrelationId, read.CorrelationId);
        Assert.Equal(original.Flags, read.Flags);
        Assert.Equal(original.Payload.ToArray(), read.Payload.ToArray());
        Assert.Equal(original.IsBroadcast, read.IsBroadcast);
        Assert.Null(EnvelopeCodec.Check(original, Limits));
    }

    [Fact]
    public void Layout_is_an_array_of_ten_in_field_order_with_a_bin_payload()
    {
        byte[] bytes = Encode(new Envelope(EnvelopeKind.Route, "ns", "t", "a", "b", 1, 2, 3, EnvelopeFlags.Request, new byte[] { 9 }));

        Assert.Equal(
            new byte[] { 0x9a, 0x02, 0xa2, (byte)'n', (byte)'s', 0xa1, (byte)'t', 0xa1, (byte)'a', 0xa1, (byte)'b', 0x01, 0x02, 0x03, 0x01, 0xc4, 0x01, 0x09 },
            bytes);
    }

    [Fact]
    public void Payload_is_a_slice_of_the_input_not_a_copy()
    {
        byte[] bytes = Encode(Sample("plain"));
        var reader = new MessagePackReader(bytes);

        EnvelopeCodec.TryRead(ref reader, Limits, null, out Envelope read, out _);

        Assert.True(MemoryMarshal.TryGetArray(read.Payload, out ArraySegment<byte> segment));
        Assert.Same(bytes, segment.Array);
    }

    [Fact]
    public void String_cache_reuses_the_string_for_the_same_bytes()
    {
        byte[] bytes = [.. Encode(Sample("plain")), .. Encode(Sample("plain"))];
        Utf8StringCache cache = EnvelopeCodec.NewStringCache();
        var reader = new MessagePackReader(bytes);

        EnvelopeCodec.TryRead(ref reader, Limits, cache, out Envelope first, out _);
        EnvelopeCodec.TryRead(ref reader, Limits, cache, out Envelope second, out _);

        Assert.Same(first.Namespace, second.Namespace);
        Assert.Same(first.From, second.From);
        Assert.Equal("sensors", second.Namespace);
    }

    public static TheoryData<string, string> InvalidCases => new()
    {
        { "not_array", "not_array" },
        { "too_few_fields", "too_few_fields" },
        { "kind_unknown", "kind" },
        { "kind_string", "field_type" },
        { "namespace_empty", "name_empty" },
        { "type_too_long", "name_too_long" },
        { "from_not_utf8", "not_utf8" },
        { "sequence_negative", "negative" },
        { "term_nil", "field_type" },
        { "flags_too_big", "flags" },
        { "payload_string", "field_type" },
        { "payload_too_large", "payload_too_large" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_envelope_between_two_valid_ones_is_skipped_and_both_valid_ones_are_read(string name, string expectedProblem)
    {
        byte[] bytes = [.. Encode(Sample("plain") with { Sequence = 1 }), .. Invalid(name), .. Encode(Sample("plain") with { Sequence = 2 })];
        var reader = new MessagePackReader(bytes);

        Assert.Equal(EnvelopeReadStatus.Ok, EnvelopeCodec.TryRead(ref reader, Limits, null, out Envelope first, out _));
        Assert.Equal(EnvelopeReadStatus.Invalid, EnvelopeCodec.TryRead(ref reader, Limits, null, out _, out string? problem));
        Assert.Equal(expectedProblem, problem);
        Assert.Equal(EnvelopeReadStatus.Ok, EnvelopeCodec.TryRead(ref reader, Limits, null, out Envelope second, out _));
        Assert.True(reader.End);
        Assert.Equal(1UL, first.Sequence);
        Assert.Equal(2UL, second.Sequence);
    }

    [Fact]
    public void Extra_trailing_elements_are_skipped_for_forward_compatibility()
    {
        byte[] bytes = [.. Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(15);
            WriteFields(ref w, sequence: 5);
            w.Write(2500u); // the request timeout and the trace context, the optional elements this version knows
            w.WriteNil();
            w.WriteMapHeader(1);
            w.Write("nested");
            w.WriteArrayHeader(2);
            w.Write(1);
            w.Write("x");
            w.Write("extra");
            w.WriteNil();
        }), .. Encode(Sample("plain") with { Sequence = 6 })];
        var reader = new MessagePackReader(bytes);

        Assert.Equal(EnvelopeReadStatus.Ok, EnvelopeCodec.TryRead(ref reader, Limits, null, out Envelope first, out _));
        Assert.Equal(EnvelopeReadStatus.Ok, EnvelopeCodec.TryRead(ref reader, Limits, null, out Envelope second, out _));
        Assert.Equal(5UL, first.Sequence);
        Assert.Equal(2500u, first.TimeoutMs);
        Assert.Equal(6UL, second.Sequence);
        Assert.Equal(0u, second.TimeoutMs);
    }

    [Fact]
    public void A_request_timeout_travels_as_an_eleventh_element_only_when_set()
    {
        Envelope request = Sample("plain") with { Flags = EnvelopeFlags.Request, CorrelationId = 9, TimeoutMs = 1500 };

        byte[] withTimeout = Encode(request);
        byte[] without = Encode(request with { TimeoutMs = 0 });
        var reader = new MessagePackReader(withTimeout);

        Assert.Equal(EnvelopeCodec.FieldCountWithTimeout, new MessagePackReader(withTimeout).ReadArrayHeader());
        Assert.Equal(EnvelopeCodec.FieldCount, new MessagePackReader(without).ReadArrayHeader());
        Assert.Equal(EnvelopeReadStatus.Ok, EnvelopeCodec.TryRead(ref reader, Limits, null, out Envelope read, out _));
        Assert.Equal(1500u, read.TimeoutMs);
    }

    [Fact]
    public void A_trace_context_travels_as_a_twelfth_element_after_a_zero_timeout_only_when_set()
    {
        var trace = new TraceContext(0x0102030405060708, 0x090A0B0C0D0E0F10, 0x1112131415161718, 1);
        Envelope traced = Sample("plain") with { Trace = trace };

        byte[] bytes = Encode(traced);
        var header = new MessagePackReader(bytes);
        var reader = new MessagePackReader(bytes);

        Assert.Equal(EnvelopeCodec.FieldCountWithTrace, header.ReadArrayHeader());
        Assert.Equal(EnvelopeCodec.FieldCount, new MessagePackReader(Encode(Sample("plain"))).ReadArrayHeader());
        Assert.Equal(EnvelopeReadStatus.Ok, EnvelopeCodec.TryRead(ref reader, Limits, null, out Envelope read, out _));
        Assert.Equal(trace, read.Trace);
        Assert.Equal(0u, read.TimeoutMs);
        Assert.Equal(traced.Payload.ToArray(), read.Payload.ToArray());
    }

    [Fact]
    public void A_trace_context_of_the_wrong_length_makes_the_envelope_invalid()
    {
        byte[] bytes = Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(12);
            WriteFields(ref w, sequence: 5);
            w.Write(0u);
            w.Write(new byte[24]);
        });
        var reader = new MessagePackReader(bytes);

        Assert.Equal(EnvelopeReadStatus.Invalid, EnvelopeCodec.TryRead(ref reader, Limits, null, out _, out string? problem));
        Assert.Equal("trace_context", problem);
    }

    [Fact]
    public void A_timeout_that_is_not_an_unsigned_32_bit_number_makes_the_envelope_invalid()
    {
        byte[] bytes = Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(11);
            WriteFields(ref w, sequence: 5);
            w.Write((ulong)uint.MaxValue + 1);
        });
        var reader = new MessagePackReader(bytes);

        Assert.Equal(EnvelopeReadStatus.Invalid, EnvelopeCodec.TryRead(ref reader, Limits, null, out _, out string? problem));
        Assert.Equal("timeout", problem);
    }

    [Fact]
    public void Every_truncation_of_an_envelope_is_malformed()
    {
        byte[] bytes = Encode(Sample("plain"));
        for (int length = 1; length < bytes.Length; length++)
        {
            var reader = new MessagePackReader(bytes.AsMemory(0, length));
            Assert.Equal(EnvelopeReadStatus.Malformed, EnvelopeCodec.TryRead(ref reader, Limits, null, out _, out _));
        }
    }

    [Fact]
    public void Never_used_code_and_excessive_nesting_are_malformed()
    {
        var neverUsed = new MessagePackReader(new byte[] { 0xc1 });
        byte[] deep = [0x9b, .. Encode(Sample("plain")).AsSpan(1), .. Enumerable.Repeat((byte)0x91, 100_000), 0x00];
        var nested = new MessagePackReader(deep);

        Assert.Equal(EnvelopeReadStatus.Malformed, EnvelopeCodec.TryRead(ref neverUsed, Limits, null, out _, out _));
        Assert.Equal(EnvelopeReadStatus.Malformed, EnvelopeCodec.TryRead(ref nested, Limits, null, out _, out _));
    }

    [Fact]
    public void Random_bytes_and_mutated_envelopes_never_throw_and_always_make_progress()
    {
        var seen = new Dictionary<EnvelopeReadStatus, int>();
        byte[] valid = [.. Encode(Sample("plain")), .. Encode(Sample("max_names"))];
        for (int seed = 0; seed < 3000; seed++)
        {
            var random = new Random(seed);
            byte[] input;
            if (seed % 2 == 0)
            {
                input = new byte[random.Next(1, 300)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])valid.Clone();
                for (int i = random.Next(1, 4); i > 0; i--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            var reader = new MessagePackReader(input);
            while (!reader.End)
            {
                long before = reader.Consumed;
                EnvelopeReadStatus status = EnvelopeCodec.TryRead(ref reader, Limits, null, out _, out _);
                seen[status] = seen.GetValueOrDefault(status) + 1;
                if (status == EnvelopeReadStatus.Malformed)
                {
                    break;
                }

                Assert.True(reader.Consumed > before, $"seed {seed}: no progress");
            }
        }

        Assert.True(seen.GetValueOrDefault(EnvelopeReadStatus.Malformed) > 0);
        Assert.True(seen.GetValueOrDefault(EnvelopeReadStatus.Invalid) > 0);
        Assert.True(seen.GetValueOrDefault(EnvelopeReadStatus.Ok) > 0);
    }

    [Fact]
    public void Check_refuses_what_a_reader_would_drop()
    {
        Envelope good = Sample("plain");

        Assert.Equal("name_too_long", EnvelopeCodec.Check(good with { Type = new string('é', 65) }, Limits));
        Assert.Equal("name_empty", EnvelopeCodec.Check(good with { Namespace = "" }, Limits));
        Assert.Equal("payload_too_large", EnvelopeCodec.Check(good with { Payload = new byte[Limits.MaxPayloadBytes + 1] }, Limits));
        Assert.Equal("null_field", EnvelopeCodec.Check(default, Limits));
        Assert.Null(EnvelopeCodec.Check(good with { Type = new string('é', 64) }, Limits));
    }

    internal static Envelope Sample(string name) => name switch
    {
        "plain" => new(EnvelopeKind.App, "sensors", "reading", "device-a", "device-b", 42, 3, 0, EnvelopeFlags.None, new byte[] { 1, 2, 3 }),
        "empty_payload" => new(EnvelopeKind.Control, "mesh", "goodbye", "device-a", "device-b", 1, 1, 0, EnvelopeFlags.None, ReadOnlyMemory<byte>.Empty),
        "max_names" => new(EnvelopeKind.App, new string('n', 128), new string('t', 128), new string('f', 128), new string('o', 128), 7, 8, 9, EnvelopeFlags.Request, new byte[1000]),
        "broadcast" => new(EnvelopeKind.Route, "chat", "line", "device-a", "", 5, 2, 0, EnvelopeFlags.None, "hi"u8.ToArray()),
        "extremes" => new(EnvelopeKind.App, "n", "t", "", "x", ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, (EnvelopeFlags)0xff, new byte[] { 0 }),
        "multibyte" => new(EnvelopeKind.App, "nämespace", "тип", "设备", "👍", 0, 0, 12, EnvelopeFlags.Reply | EnvelopeFlags.RemoteError, "err"u8.ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    internal static byte[] Encode(in Envelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>();
        EnvelopeCodec.Write(buffer, envelope);
        return buffer.WrittenSpan.ToArray();
    }

    internal static byte[] Invalid(string name) => Write((ref MessagePackWriter w) =>
    {
        switch (name)
        {
            case "not_array":
                w.WriteMapHeader(1);
                w.Write("kind");
                w.WriteArrayHeader(1);
                w.Write(0);
                break;
            case "too_few_fields":
                w.WriteArrayHeader(3);
                w.Write(0);
                w.Write("ns");
                w.Write("t");
                break;
            default:
                w.WriteArrayHeader(10);
                WriteFields(ref w, breaking: name);
                break;
        }
    });

    private static void WriteFields(ref MessagePackWriter w, string breaking = "", ulong sequence = 1)
    {
        Field(ref w, breaking, "kind_unknown", "kind_string", static (ref MessagePackWriter x) => x.Write(0), static (ref MessagePackWriter x) => x.Write(9), static (ref MessagePackWriter x) => x.Write("app"));
        Field(ref w, breaking, "namespace_empty", "", static (ref MessagePackWriter x) => x.Write("ns"), static (ref MessagePackWriter x) => x.Write(""), null);
        Field(ref w, breaking, "type_too_long", "", static (ref MessagePackWriter x) => x.Write("t"), static (ref MessagePackWriter x) => x.Write(new string('t', 129)), null);
        Field(ref w, breaking, "from_not_utf8", "", static (ref MessagePackWriter x) => x.Write("a"), static (ref MessagePackWriter x) => x.WriteString(new byte[] { 0xff, 0xfe }), null);
        w.Write("");
        if (breaking == "sequence_negative")
        {
            w.Write(-1L);
        }
        else
        {
            w.Write(sequence);
        }

        Field(ref w, breaking, "term_nil", "", static (ref MessagePackWriter x) => x.Write(1), static (ref MessagePackWriter x) => x.WriteNil(), null);
        w.Write(0);
        Field(ref w, breaking, "flags_too_big", "", static (ref MessagePackWriter x) => x.Write(0), static (ref MessagePackWriter x) => x.Write(256), null);
        Field(ref w, breaking, "payload_too_large", "payload_string",
            static (ref MessagePackWriter x) => x.Write(new byte[] { 1 }), static (ref MessagePackWriter x) => x.Write(new byte[Limits.MaxPayloadBytes + 1]),
            static (ref MessagePackWriter x) => x.Write("payload"));
    }

    private delegate void WriteAction(ref MessagePackWriter writer);

    private static void Field(ref MessagePackWriter w, string breaking, string first, string second, WriteAction good, WriteAction bad, WriteAction? otherBad)
    {
        if (breaking == first)
        {
            bad(ref w);
        }
        else if (breaking == second && second.Length > 0)
        {
            otherBad!(ref w);
        }
        else
        {
            good(ref w);
        }
    }

    private delegate void Writing(ref MessagePackWriter writer);

    private static byte[] Write(Writing write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
