using System.Buffers;

namespace Truffle.Wire;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over arrays from the shared pool: the one place bytes are serialized
/// into before they leave (a send queue's batch, a message handed to the bus). It grows by doubling and, when reset,
/// gives back a buffer a burst grew past the size worth keeping. <see cref="Rent"/> lends a small one kept per thread,
/// so serializing a message allocates nothing in the steady state.
/// </summary>
internal class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    [ThreadStatic]
    private static PooledBuffer? t_cached;

    private readonly int _initialBytes;
    private readonly int _keptBytes;
    private byte[] _buffer;

    /// <param name="initialBytes">The size rented at first and after a reset that gave a large buffer back.</param>
    /// <param name="keptBytes">The largest buffer a reset keeps.</param>
    public PooledBuffer(int initialBytes, int keptBytes)
    {
        _initialBytes = initialBytes;
        _keptBytes = keptBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(initialBytes);
    }

    /// <summary>Lends this thread's buffer (or a new one) for one serialization; dispose the lease to give it back.</summary>
    public static Lease Rent()
    {
        PooledBuffer? buffer = t_cached;
        t_cached = null;
        return new Lease(buffer ?? new PooledBuffer(initialBytes: 512, keptBytes: 1 << 20));
    }

    /// <summary>The bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>Everything written since the last reset.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    /// <summary>The bytes from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public ReadOnlyMemory<byte> Slice(int start, int end) => _buffer.AsMemory(start, end - start);

    /// <summary>Empties the buffer for reuse, giving back one grown past the size worth keeping.</summary>
    public virtual void Reset()
    {
        Length = 0;
        if (_buffer.Length > _keptBytes)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(_initialBytes);
        }
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - Length);
        Length += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Length);
    }

    /// <summary>Gives the buffer back to the pool; the instance must not be used afterwards.</summary>
    public virtual void Dispose()
    {
        byte[] buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - Length >= needed)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(checked(Math.Max(_buffer.Length * 2, Length + needed)));
        _buffer.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    /// <summary>A buffer lent by <see cref="Rent"/>: disposing it empties the buffer and keeps it for this thread.</summary>
    /// <param name="buffer">The buffer lent.</param>
    public readonly struct Lease(PooledBuffer buffer) : IDisposable
    {
        /// <summary>The buffer to write into, until the lease is disposed.</summary>
        public PooledBuffer Buffer => buffer;

        /// <inheritdoc/>
        public void Dispose()
        {
            buffer.Reset();
            t_cached ??= buffer;
        }
    }
}
