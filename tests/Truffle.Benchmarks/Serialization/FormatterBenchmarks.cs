using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Truffle.Wire;

namespace Truffle.Benchmarks.Serialization;

/// <summary>
/// SPEC §9: a generated formatter against MessagePack-CSharp's own formatter for the same record and the same
/// string-keyed map contract. MessagePack is the baseline of each category, so a ratio below 1 means Truffle is faster.
/// </summary>
/// <remarks>
/// MessagePack-CSharp 2.5 has no source generator for .NET; its fastest path is the <see cref="StandardResolver"/>'s
/// dynamic formatter, emitted with Reflection.Emit on first use (in GlobalSetup, so never measured). Both sides run
/// with the options Truffle uses on the wire (<see cref="MessagePackSecurity.UntrustedData"/>), so the only difference
/// measured is the formatter. Serialization writes into a reused buffer, so anything allocated is overhead;
/// deserialization must allocate the result, whose size the <c>ResultOnly</c> row shows.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FormatterBenchmarks
{
    private const string Serialize = "Serialize";
    private const string Deserialize = "Deserialize";

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    private Order _order = null!;
    private MessagePackOrder _messagePackOrder = null!;
    private IMessagePackFormatter<Order> _truffleFormatter = null!;
    private IMessagePackFormatter<MessagePackOrder> _messagePackFormatter = null!;
    private MessagePackSerializerOptions _truffleOptions = null!;
    private MessagePackSerializerOptions _messagePackOptions = null!;
    private ReadOnlySequence<byte> _truffleBytes;
    private ReadOnlySequence<byte> _messagePackBytes;

    // The strings of the result, kept as UTF-8 so ResultOnly allocates them afresh as a reader must.
    private byte[] _customerUtf8 = [];
    private byte[] _productUtf8 = [];
    private byte[][] _tagsUtf8 = [];

    /// <summary>Whether both formatters wrote the very same bytes (checked in GlobalSetup, printed to the log).</summary>
    public bool BytesAreIdentical { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _order = new Order(
            Id: Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            Customer: "Ada Lovelace",
            Product: "Analytical Engine, revised edition",
            Quantity: 3,
            PriceCents: 12_999_00,
            WeightKg: 1_250.75,
            Express: true,
            PlacedAt: new DateTime(2025, 11, 3, 14, 7, 31, 250, DateTimeKind.Utc),
            Tags: ["fragile", "gift", "priority-handling"]);
        _messagePackOrder = MessagePackOrder.From(_order);

        _truffleFormatter = WireFormat.FormatterOf<Order>();
        _truffleOptions = TruffleSerializer.Options;
        _messagePackOptions = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);
        _messagePackFormatter = StandardResolver.Instance.GetFormatterWithVerify<MessagePackOrder>();

        byte[] truffle = Write(_truffleFormatter, _order, _truffleOptions);
        byte[] messagePack = Write(_messagePackFormatter, _messagePackOrder, _messagePackOptions);
        _truffleBytes = new ReadOnlySequence<byte>(truffle);
        _messagePackBytes = new ReadOnlySequence<byte>(messagePack);

        // The comparison is only fair if both sides speak the same contract: each must read what the other wrote.
        Order fromMessagePack = Read(_truffleFormatter, _messagePackBytes, _truffleOptions);
        Order fromTruffle = Read(_messagePackFormatter, _truffleBytes, _messagePackOptions).ToTruffle();
        if (!ValueEquality.Annotated(fromMessagePack, _order) || !ValueEquality.Annotated(fromTruffle, _order))
        {
            throw new InvalidOperationException(
                "Truffle and MessagePack-CSharp do not read each other's bytes back to the same Order: " +
                $"Truffle {Convert.ToHexString(truffle)}, MessagePack {Convert.ToHexString(messagePack)}.");
        }

        BytesAreIdentical = truffle.AsSpan().SequenceEqual(messagePack);
        Console.WriteLine(
            $"// Order: Truffle {truffle.Length} B, MessagePack {messagePack.Length} B, " +
            (BytesAreIdentical ? "byte-identical" : "not byte-identical but mutually readable") + ".");
        if (!BytesAreIdentical)
        {
            Console.WriteLine($"// Truffle     {Convert.ToHexString(truffle)}");
            Console.WriteLine($"// MessagePack {Convert.ToHexString(messagePack)}");
        }

        _customerUtf8 = System.Text.Encoding.UTF8.GetBytes(_order.Customer);
        _productUtf8 = System.Text.Encoding.UTF8.GetBytes(_order.Product);
        _tagsUtf8 = [.. _order.Tags.Select(System.Text.Encoding.UTF8.GetBytes)];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Serialize)]
    public int Serialize_MessagePack()
    {
        _buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(_buffer);
        _messagePackFormatter.Serialize(ref writer, _messagePackOrder, _messagePackOptions);
        writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory(Serialize)]
    public int Serialize_Truffle()
    {
        _buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(_buffer);
        _truffleFormatter.Serialize(ref writer, _order, _truffleOptions);
        writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Deserialize)]
    public MessagePackOrder Deserialize_MessagePack()
    {
        var reader = new MessagePackReader(_messagePackBytes);
        return _messagePackFormatter.Deserialize(ref reader, _messagePackOptions);
    }

    [Benchmark]
    [BenchmarkCategory(Deserialize)]
    public Order Deserialize_Truffle()
    {
        var reader = new MessagePackReader(_truffleBytes);
        return _truffleFormatter.Deserialize(ref reader, _truffleOptions);
    }

    /// <summary>
    /// Allocates exactly what a deserialized <see cref="Order"/> holds (the record, its two strings, the tags' array
    /// and strings) and nothing else: the floor for "no allocation beyond the result".
    /// </summary>
    [Benchmark]
    [BenchmarkCategory(Deserialize)]
    public Order Deserialize_ResultOnly()
    {
        var tags = new string[_tagsUtf8.Length];
        for (int i = 0; i < tags.Length; i++)
        {
            tags[i] = System.Text.Encoding.UTF8.GetString(_tagsUtf8[i]);
        }

        return new Order(
            _order.Id,
            System.Text.Encoding.UTF8.GetString(_customerUtf8),
            System.Text.Encoding.UTF8.GetString(_productUtf8),
            _order.Quantity,
            _order.PriceCents,
            _order.WeightKg,
            _order.Express,
            _order.PlacedAt,
            ImmutableCollectionsMarshal.AsImmutableArray(tags));
    }

    private static byte[] Write<T>(IMessagePackFormatter<T> formatter, T value, MessagePackSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        formatter.Serialize(ref writer, value, options);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T Read<T>(IMessagePackFormatter<T> formatter, ReadOnlySequence<byte> bytes, MessagePackSerializerOptions options)
    {
        var reader = new MessagePackReader(bytes);
        T value = formatter.Deserialize(ref reader, options);
        return reader.End ? value : throw new InvalidOperationException($"{typeof(T).Name} left bytes unread.");
    }
}
