using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>
/// Serialized envelopes waiting to be sent, back to back in one pooled buffer, with the offset where each ends so a
/// writer can cut the batch into WebSocket messages without splitting an envelope. Reused after each send.
/// </summary>
internal sealed class SendBatch() : PooledBuffer(initialBytes: 16 << 10, keptBytes: 1 << 20)
{
    private int[] _ends = new int[64];

    /// <summary>The number of complete envelopes.</summary>
    public int Count { get; private set; }

    /// <summary>The offset just past envelope <paramref name="index"/>.</summary>
    public int EndOf(int index) => _ends[index];

    /// <summary>Records that the bytes written since the previous mark are one envelope.</summary>
    public void MarkEnvelopeEnd()
    {
        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        _ends[Count++] = Length;
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        Count = 0;
    }
}
