using System.Buffers;

namespace Truffle.Wire;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over pooled arrays. One instance per thread is kept for reuse, so
/// serializing a message to hand to the bus allocates nothing in the steady state.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 512;

    [ThreadStatic]
    private static PooledBufferWriter? t_cached;

    private byte[] _buffer;
    private int _written;

    private PooledBufferWriter() => _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Takes this thread's cached writer, or a new one; return it with <see cref="Dispose"/>.</summary>
    public static PooledBufferWriter Rent()
    {
        PooledBufferWriter? writer = t_cached;
        t_cached = null;
        return writer ?? new PooledBufferWriter();
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Clears the writer and caches it for the current thread (or drops it if one is cached already).</summary>
    public void Dispose()
    {
        _written = 0;
        if (_buffer.Length > 1 << 20)
        {
            // Do not keep a huge buffer alive per thread because of one large message.
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        }

        t_cached ??= this;
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(checked(Math.Max(_buffer.Length * 2, _written + needed)));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
