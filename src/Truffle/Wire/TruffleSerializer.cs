using System.Buffers;
using System.ComponentModel;
using MessagePack;
using MessagePack.Formatters;
using Truffle.Wire;

namespace Truffle;

/// <summary>
/// Serializes annotated types with their generated formatters: a MessagePack map keyed by camelCase member names,
/// unknown keys skipped and missing keys defaulted. Reading always uses <see cref="MessagePackSecurity.UntrustedData"/>.
/// </summary>
public static class TruffleSerializer
{
    /// <summary>
    /// The options every Truffle formatter runs with: the generated resolvers of every loaded assembly, and
    /// untrusted-data security (a depth limit on nested objects and collections).
    /// </summary>
    public static MessagePackSerializerOptions Options { get; } =
        new MessagePackSerializerOptions(TruffleResolver.Instance).WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Serializes <paramref name="value"/> into a new array.</summary>
    /// <exception cref="TruffleSerializationException">No formatter exists for <typeparamref name="T"/>.</exception>
    public static byte[] Serialize<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Serialize(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes <paramref name="value"/> into <paramref name="destination"/>.</summary>
    /// <exception cref="TruffleSerializationException">No formatter exists for <typeparamref name="T"/>.</exception>
    public static void Serialize<T>(IBufferWriter<byte> destination, T value) => Serialize(destination, value, GetFormatter<T>());

    /// <summary>Serializes with a known formatter; generated code calls this to skip the resolver.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Serialize<T>(IBufferWriter<byte> destination, T value, IMessagePackFormatter<T> formatter)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(formatter);
        var writer = new MessagePackWriter(destination);
        formatter.Serialize(ref writer, value, Options);
        writer.Flush();
    }

    /// <summary>Reads a <typeparamref name="T"/> from <paramref name="bytes"/>.</summary>
    /// <exception cref="TruffleSerializationException">
    /// The bytes are not a valid <typeparamref name="T"/>, or no formatter exists for it.
    /// </exception>
    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) => Deserialize(new ReadOnlySequence<byte>(bytes), GetFormatter<T>());

    /// <summary>Reads a <typeparamref name="T"/> from <paramref name="bytes"/>.</summary>
    /// <exception cref="TruffleSerializationException">
    /// The bytes are not a valid <typeparamref name="T"/>, or no formatter exists for it.
    /// </exception>
    public static T Deserialize<T>(in ReadOnlySequence<byte> bytes) => Deserialize(bytes, GetFormatter<T>());

    /// <summary>Reads with a known formatter; generated code calls this to skip the resolver.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static T Deserialize<T>(in ReadOnlySequence<byte> bytes, IMessagePackFormatter<T> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var reader = new MessagePackReader(bytes);
        try
        {
            return formatter.Deserialize(ref reader, Options);
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            throw new TruffleSerializationException($"Cannot read {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>Returns the formatter the serializer uses for <typeparamref name="T"/>.</summary>
    /// <exception cref="TruffleSerializationException">No formatter exists for <typeparamref name="T"/>.</exception>
    public static IMessagePackFormatter<T> GetFormatter<T>() =>
        TruffleResolver.Instance.GetFormatter<T>()
        ?? throw new TruffleSerializationException(
            $"No Truffle formatter for {typeof(T).FullName}. Annotate it with [TruffleMessage] or [SyncedSlice], " +
            "declare it partial, and make sure the assembly that declares it references Truffle.");

    /// <summary>
    /// Called by the module initializer of every assembly that declares annotated types; never call it yourself.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void RegisterGeneratedResolver(IFormatterResolver resolver) => TruffleResolver.Register(resolver);
}
