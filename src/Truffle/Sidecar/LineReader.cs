using System.Buffers;

namespace Truffle.Sidecar;

/// <summary>What one <see cref="LineReader.ReadLineAsync"/> found.</summary>
internal enum LineStatus
{
    /// <summary>A non-empty line, without its <c>\n</c> or <c>\r\n</c>.</summary>
    Line,

    /// <summary>A line over the cap; it was drained (never buffered whole) and the next read continues after it.</summary>
    TooLarge,

    /// <summary>The stream ended.</summary>
    EndOfStream,
}

/// <summary>
/// Reads <c>\n</c>-terminated lines with a length cap (the sidecar protocol's 8 MiB). Empty lines are skipped. A line
/// is valid until the next read.
/// </summary>
internal sealed class LineReader(Stream stream, int maxLine = LineReader.MaxProtocolLine)
{
    public const int MaxProtocolLine = 8 << 20;

    private const int ChunkSize = 64 << 10;

    private readonly byte[] _chunk = new byte[ChunkSize];
    private ArrayBufferWriter<byte> _line = new(1024);
    private int _start;
    private int _end;
    private bool _tooLarge;

    public async ValueTask<(LineStatus Status, ReadOnlyMemory<byte> Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        ResetLine();
        while (true)
        {
            if (_start == _end)
            {
                int read = await stream.ReadAsync(_chunk, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    if (_tooLarge)
                    {
                        _tooLarge = false;
                        return (LineStatus.TooLarge, default);
                    }

                    var last = Finish();
                    return last.Status == LineStatus.Line ? last : (LineStatus.EndOfStream, default);
                }

                _start = 0;
                _end = read;
            }

            int newline = Array.IndexOf(_chunk, (byte)'\n', _start, _end - _start);
            int segmentEnd = newline < 0 ? _end : newline;
            Append(_chunk.AsSpan(_start, segmentEnd - _start));
            _start = newline < 0 ? _end : newline + 1;
            if (newline < 0)
            {
                continue;
            }

            if (_tooLarge)
            {
                _tooLarge = false;
                return (LineStatus.TooLarge, default);
            }

            var result = Finish();
            if (result.Status != LineStatus.EndOfStream)
            {
                return result;
            }

            ResetLine(); // an empty line: skip it
        }
    }

    private void Append(ReadOnlySpan<byte> segment)
    {
        if (_tooLarge)
        {
            return;
        }

        // One byte of slack for a trailing '\r' that is stripped later.
        if (_line.WrittenCount + segment.Length > maxLine + 1)
        {
            _tooLarge = true;
            ResetLine();
            return;
        }

        _line.Write(segment);
    }

    /// <summary>The buffered line, or EndOfStream when it is empty (the caller decides what that means).</summary>
    private (LineStatus Status, ReadOnlyMemory<byte> Line) Finish()
    {
        ReadOnlyMemory<byte> line = _line.WrittenMemory;
        if (line.Length > 0 && line.Span[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length > maxLine)
        {
            ResetLine();
            return (LineStatus.TooLarge, default);
        }

        return line.Length == 0 ? (LineStatus.EndOfStream, default) : (LineStatus.Line, line);
    }

    private void ResetLine()
    {
        if (_line.Capacity > 4 * ChunkSize)
        {
            _line = new ArrayBufferWriter<byte>(1024); // do not keep a huge buffer alive after one long line
        }
        else
        {
            _line.ResetWrittenCount();
        }
    }
}
