using System.Buffers;
using MessagePack;
using Truffle.Transport;
using Xunit;

namespace Truffle.Tests.Transport;

public sealed class HelloCodecTests
{
    [Fact]
    public void Round_trip_keeps_every_field()
    {
        Hello original = Loopback.Hello("a") with { Incarnation = ulong.MaxValue, Priority = -4, PreferPrimary = true };

        Hello? read = HelloCodec.TryRead(HelloCodec.Encode(original), out string? problem);

        Assert.Null(problem);
        Assert.NotNull(read);
        Assert.Equal(original.Version, read.Version);
        Assert.Equal(original.AppId, read.AppId);
        Assert.Equal(original.DeviceId, read.DeviceId);
        Assert.Equal(original.DeviceName, read.DeviceName);
        Assert.Equal(original.DeviceType, read.DeviceType);
        Assert.Equal(original.Os, read.Os);
        Assert.Equal(original.TailscaleId, read.TailscaleId);
        Assert.Equal(original.Incarnation, read.Incarnation);
        Assert.Equal(original.PreferPrimary, read.PreferPrimary);
        Assert.Equal(original.Priority, read.Priority);
        Assert.Equal(original.Capabilities, read.Capabilities);
        Assert.Equal(original.Metadata, read.Metadata);
    }

    [Fact]
    public void Schemas_round_trip_as_the_last_key_and_a_reader_that_skips_them_reads_the_rest()
    {
        Hello original = Loopback.Hello("a") with { Schemas = new Dictionary<string, string> { ["notes"] = "0a1b2c3d", ["chat"] = "ffee0011" } };
        byte[] bytes = HelloCodec.Encode(original);

        Hello? read = HelloCodec.TryRead(bytes, out string? problem);
        var reader = new MessagePackReader(bytes);
        int count = reader.ReadMapHeader();
        string? last = null;
        for (int i = 0; i < count; i++)
        {
            last = reader.ReadString();
            reader.Skip();
        }

        Assert.Null(problem);
        Assert.Equal(original.Schemas.OrderBy(p => p.Key, StringComparer.Ordinal), read!.Schemas.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal("schemas", last);
        Assert.True(reader.End);
    }

    [Fact]
    public void Unknown_keys_are_skipped_and_missing_optional_keys_default()
    {
        byte[] bytes = Map(w =>
        {
            w.WriteMapHeader(6);
            w.Write("future");
            w.WriteArrayHeader(2);
            w.WriteMapHeader(1);
            w.Write("x");
            w.Write(1);
            w.WriteNil();
            w.Write("kind");
            w.Write("hello");
            w.Write("version");
            w.Write(1);
            w.Write("appId");
            w.Write("app");
            w.Write("deviceId");
            w.Write("d1");
            w.Write("alsoNew");
            w.Write(new byte[] { 1, 2 });
        });

        Hello? read = HelloCodec.TryRead(bytes, out string? problem);

        Assert.Null(problem);
        Assert.NotNull(read);
        Assert.Equal("d1", read.DeviceId);
        Assert.Equal("", read.TailscaleId);
        Assert.Equal(0UL, read.Incarnation);
        Assert.False(read.PreferPrimary);
        Assert.Empty(read.Capabilities);
        Assert.Empty(read.Metadata);
    }

    [Fact]
    public void Missing_required_keys_wrong_kind_and_garbage_are_refused_with_a_reason()
    {
        Assert.Null(HelloCodec.TryRead(Map(w => { w.WriteMapHeader(1); w.Write("kind"); w.Write("hello"); }), out string? noVersion));
        Assert.Null(HelloCodec.TryRead(Map(w => { w.WriteMapHeader(2); w.Write("kind"); w.Write("bye"); w.Write("version"); w.Write(1); }), out string? notHello));
        Assert.Null(HelloCodec.TryRead(Map(w => { w.WriteMapHeader(1); w.Write("version"); w.Write("one"); }), out string? wrongType));
        Assert.Null(HelloCodec.TryRead(new byte[] { 0x93, 0x01 }, out string? notMap));
        Assert.Null(HelloCodec.TryRead(new byte[] { 0xde, 0xff }, out string? truncated));

        Assert.Equal("no_version", noVersion);
        Assert.Equal("not_hello", notHello);
        Assert.Equal("malformed", wrongType);
        Assert.Equal("not_map", notMap);
        Assert.Equal("malformed", truncated);
    }

    [Theory]
    [InlineData("deviceId", "too_long_deviceId")]
    [InlineData("deviceName", "too_long_deviceName")]
    [InlineData("os", "too_long_os")]
    [InlineData("capabilities", "too_many_capabilities")]
    [InlineData("metadata", "too_many_metadata")]
    [InlineData("metadata value", "too_long_metadata_value")]
    public void A_field_beyond_its_limit_is_refused_and_named(string field, string expected)
    {
        Hello valid = Loopback.Hello("a");
        Hello oversized = field switch
        {
            "deviceId" => valid with { DeviceId = new string('d', HelloLimits.MaxIdLength + 1) },
            "deviceName" => valid with { DeviceName = new string('n', HelloLimits.MaxTextLength + 1) },
            "os" => valid with { Os = new string('o', HelloLimits.MaxTextLength + 1) },
            "capabilities" => valid with { Capabilities = [.. Enumerable.Range(0, HelloLimits.MaxEntries + 1).Select(i => $"c{i}")] },
            "metadata" => valid with { Metadata = Enumerable.Range(0, HelloLimits.MaxEntries + 1).ToDictionary(i => $"k{i}", i => "v") },
            _ => valid with { Metadata = new Dictionary<string, string> { ["k"] = new string('v', HelloLimits.MaxValueLength + 1) } },
        };

        Assert.NotNull(HelloCodec.TryRead(HelloCodec.Encode(valid), out _));
        Assert.Null(HelloCodec.TryRead(HelloCodec.Encode(oversized), out string? problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void Random_and_mutated_hellos_never_throw()
    {
        byte[] valid = HelloCodec.Encode(Loopback.Hello("a"));
        int accepted = 0;
        for (int seed = 0; seed < 3000; seed++)
        {
            var random = new Random(seed);
            byte[] input = (byte[])valid.Clone();
            for (int i = random.Next(1, 4); i > 0; i--)
            {
                input[random.Next(input.Length)] = (byte)random.Next(256);
            }

            Hello? hello = HelloCodec.TryRead(input, out string? problem);
            Assert.True(hello is not null ^ problem is not null);
            accepted += hello is null ? 0 : 1;
        }

        Assert.InRange(accepted, 1, 2999);
    }

    private delegate void Writing(ref MessagePackWriter writer);

    private static byte[] Map(Action<MessagePackWriterBox> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var box = new MessagePackWriterBox(buffer);
        write(box);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A class around the ref struct writer so tests can build maps in lambdas.</summary>
    private sealed class MessagePackWriterBox(IBufferWriter<byte> output)
    {
        private readonly IBufferWriter<byte> _output = output;

        public void WriteMapHeader(int count) => Do((ref MessagePackWriter w) => w.WriteMapHeader(count));

        public void WriteArrayHeader(int count) => Do((ref MessagePackWriter w) => w.WriteArrayHeader(count));

        public void Write(string value) => Do((ref MessagePackWriter w) => w.Write(value));

        public void Write(int value) => Do((ref MessagePackWriter w) => w.Write(value));

        public void Write(byte[] value) => Do((ref MessagePackWriter w) => w.Write(value));

        public void WriteNil() => Do((ref MessagePackWriter w) => w.WriteNil());

        private void Do(Writing write)
        {
            var writer = new MessagePackWriter(_output);
            write(ref writer);
            writer.Flush();
        }
    }
}
