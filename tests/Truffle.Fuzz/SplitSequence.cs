using System.Buffers;

namespace Truffle.Fuzz;

/// <summary>
/// Splits an input into a two-segment sequence, as a message that arrived in two reads would be, so the decoders'
/// multi-segment paths (a string or payload across the seam) are fuzzed too.
/// </summary>
internal static class SplitSequence
{
    /// <summary><paramref name="input"/> as two segments split in its middle (one segment when it is empty).</summary>
    public static ReadOnlySequence<byte> Of(ReadOnlyMemory<byte> input)
    {
        if (input.Length < 2)
        {
            return new ReadOnlySequence<byte>(input);
        }

        int middle = input.Length / 2;
        var first = new Segment(input[..middle], 0);
        Segment last = first.Append(input[middle..]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
