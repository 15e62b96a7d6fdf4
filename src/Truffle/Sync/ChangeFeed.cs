using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Truffle.Sync;

/// <summary>
/// The readers of one store's changes (<c>ChangesAsync</c>): each a buffer of
/// <see cref="SyncOptions.ChangeBufferCapacity"/> changes that drops its oldest when the reader falls behind
/// (counted as <c>truffle.sync.changes.dropped</c>). Published to and completed under the engine's gate.
/// </summary>
internal sealed class ChangeFeed<TChange>
{
    private readonly SyncEngine _engine;
    private readonly string _storeId;
    private readonly List<Channel<TChange>> _readers = [];

    public ChangeFeed(SyncEngine engine, string storeId)
    {
        _engine = engine;
        _storeId = storeId;
    }

    /// <summary>A new reader, registered now; it ends when the feed completes (at once when sync has stopped).</summary>
    public IAsyncEnumerable<TChange> Subscribe(CancellationToken cancellationToken)
    {
        var options = new BoundedChannelOptions(Math.Max(1, _engine.Options.ChangeBufferCapacity))
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        };
        Counter<long> dropped = _engine.Metrics.Sync.ChangesDropped;
        string storeId = _storeId;
        Channel<TChange> channel = Channel.CreateBounded<TChange>(options, _ => SyncMetrics.Count(dropped, storeId));
        lock (_engine.Gate)
        {
            if (_engine.IsStopped)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _readers.Add(channel);
            }
        }

        return ReadAsync(channel, cancellationToken);
    }

    /// <summary>Hands a change to every reader. Under the gate.</summary>
    public void Publish(TChange change)
    {
        foreach (Channel<TChange> reader in _readers)
        {
            reader.Writer.TryWrite(change);
        }
    }

    /// <summary>Ends every reader once it has read what is buffered. Under the gate.</summary>
    public void Complete()
    {
        foreach (Channel<TChange> reader in _readers)
        {
            reader.Writer.TryComplete();
        }

        _readers.Clear();
    }

    private async IAsyncEnumerable<TChange> ReadAsync(Channel<TChange> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (TChange change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_engine.Gate)
            {
                _readers.Remove(channel);
            }
        }
    }
}
