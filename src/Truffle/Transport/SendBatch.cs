using System.Buffers;

namespace Truffle.Transport;

/// <summary>
/// Serialized envelopes waiting to be sent, back to back in one pooled buffer, with the offset where each ends so a
/// writer can cut the batch into WebSocket messages without splitting an envelope. Reused after each send.
/// </summary>
internal sealed class SendBatch : IBufferWriter<byte>, IDisposable
{
    private const int InitialBytes = 16 << 10;

    // A burst can grow the buffer to the queue bound; keep no more than this between bursts.
    private const int KeptBytes = 1 << 20;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
    private int[] _ends = new int[64];

    /// <summary>The bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The number of complete envelopes.</summary>
    public int Count { get; private set; }

    /// <summary>The offset just past envelope <paramref name="index"/>.</summary>
    public int EndOf(int index) => _ends[index];

    /// <summary>The bytes from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public ReadOnlyMemory<byte> Slice(int start, int end) => _buffer.AsMemory(start, end - start);

    /// <summary>Records that the bytes written since the previous mark are one envelope.</summary>
    public void MarkEnvelopeEnd()
    {
        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        _ends[Count++] = Length;
    }

    /// <summary>Empties the batch for reuse, giving back a buffer grown by a burst.</summary>
    public void Reset()
    {
        Length = 0;
        Count = 0;
        if (_buffer.Length > KeptBytes)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
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

    /// <inheritdoc/>
    public void Dispose()
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
}
