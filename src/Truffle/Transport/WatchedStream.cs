using System.Runtime.CompilerServices;

namespace Truffle.Transport;

/// <summary>
/// The bridged stream under a connection's WebSocket, noting when a read started waiting and has had no byte since:
/// the keep-alive deadline is measured on it. Frames the WebSocket handles itself (pings, pongs) and a frame that
/// never completes are seen here, where <see cref="System.Net.WebSockets.WebSocket.ReceiveAsync(Memory{byte}, CancellationToken)"/>
/// would show nothing. The WebSocket reads only while the connection's read loop receives, so a paused read loop is
/// never waiting here.
/// </summary>
internal sealed class WatchedStream(Stream inner, TimeProvider time) : Stream
{
    private long _waitingSince;
    private long _bytesRead;

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> at which the pending read started; 0 when no read waits.</summary>
    public long WaitingSince => Volatile.Read(ref _waitingSince);

    /// <summary>Bytes read so far (for tests and diagnostics).</summary>
    public long BytesRead => Volatile.Read(ref _bytesRead);

    /// <inheritdoc/>
    public override bool CanRead => inner.CanRead;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => inner.CanWrite;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> read = inner.ReadAsync(buffer, cancellationToken);
        if (!read.IsCompletedSuccessfully)
        {
            return WaitAsync(read);
        }

        int count = read.Result;
        Volatile.Write(ref _bytesRead, _bytesRead + count);
        return new ValueTask<int>(count);
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> WaitAsync(ValueTask<int> read)
    {
        Volatile.Write(ref _waitingSince, Math.Max(1, time.GetTimestamp()));
        try
        {
            int count = await read.ConfigureAwait(false);
            Volatile.Write(ref _bytesRead, _bytesRead + count);
            return count;
        }
        finally
        {
            Volatile.Write(ref _waitingSince, 0);
        }
    }
}
