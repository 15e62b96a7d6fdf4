using System.Threading.Channels;

namespace Truffle.Messaging;

/// <summary>
/// A bounded first-in-first-out queue of items from several senders, fair by sender: when it is full, what makes
/// room is always taken from the sender that holds the most items, so one sender's flood cannot push another's
/// messages out. A sender that holds no more than its share (capacity divided by the senders queued) loses nothing.
/// Items leave in arrival order whoever sent them. Not thread-safe: the owner locks.
/// </summary>
/// <typeparam name="T">What is queued.</typeparam>
internal sealed class FairQueue<T>
{
    private readonly Dictionary<string, SenderItems> _bySender = new(StringComparer.Ordinal);
    private readonly Func<T, string> _senderOf;
    private readonly int _capacity;
    private readonly BoundedChannelFullMode _fullMode;
    private SenderItems? _spare;
    private long _arrivals;

    /// <param name="capacity">How many items may wait.</param>
    /// <param name="fullMode">
    /// What a full queue does: <see cref="BoundedChannelFullMode.DropOldest"/> drops the oldest item of the sender
    /// holding the most; <see cref="BoundedChannelFullMode.DropWrite"/> drops the new item when its sender holds the
    /// most, else that sender's newest; <see cref="BoundedChannelFullMode.Wait"/> refuses the new item when its sender
    /// holds the most, else evicts that sender's newest. Ties count against the new item's sender.
    /// </param>
    /// <param name="senderOf">Who sent an item.</param>
    public FairQueue(int capacity, BoundedChannelFullMode fullMode, Func<T, string> senderOf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _fullMode = fullMode;
        _senderOf = senderOf;
    }

    /// <summary>How many items wait.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds <paramref name="item"/>, making room by the full mode when the queue is full. <paramref name="dropped"/>
    /// is the item that made room (the new one itself, for <see cref="BoundedChannelFullMode.DropWrite"/>), if any.
    /// </summary>
    /// <returns>False only when the new item was refused (<see cref="BoundedChannelFullMode.Wait"/>).</returns>
    public bool TryAdd(T item, out bool hasDropped, out T? dropped)
    {
        hasDropped = false;
        dropped = default;
        string sender = _senderOf(item);
        if (Count == _capacity)
        {
            SenderItems heaviest = Heaviest(out string heaviestSender);
            _bySender.TryGetValue(sender, out SenderItems? own);
            bool ownIsHeaviest = own is not null && own.Count >= heaviest.Count;
            if (ownIsHeaviest && _fullMode != BoundedChannelFullMode.DropOldest)
            {
                if (_fullMode == BoundedChannelFullMode.Wait)
                {
                    return false;
                }

                hasDropped = true;
                dropped = item;
                return true;
            }

            SenderItems victim = ownIsHeaviest ? own! : heaviest;
            dropped = _fullMode == BoundedChannelFullMode.DropOldest ? victim.TakeFirst().Item : victim.TakeLast();
            hasDropped = true;
            Count--;
            if (victim.Count == 0)
            {
                Forget(ownIsHeaviest ? sender : heaviestSender, victim);
            }
        }

        Append(sender, item);
        return true;
    }

    /// <summary>
    /// Adds <paramref name="item"/> even when the queue is full, dropping nothing: for an owner that stops whoever
    /// feeds it once the queue is full, so it is over its capacity by at most what was already on the way.
    /// </summary>
    public void AddOverBound(T item) => Append(_senderOf(item), item);

    /// <summary>Takes the item that arrived first; false when the queue is empty.</summary>
    public bool TryTake(out T item)
    {
        item = default!;
        if (Count == 0)
        {
            return false;
        }

        // Senders are the devices of a mesh: few, so a scan of their heads is cheaper than keeping a second order.
        string? first = null;
        SenderItems? firstItems = null;
        foreach ((string sender, SenderItems items) in _bySender)
        {
            if (firstItems is null || items.FirstArrival < firstItems.FirstArrival)
            {
                first = sender;
                firstItems = items;
            }
        }

        item = firstItems!.TakeFirst().Item;
        Count--;
        if (firstItems.Count == 0)
        {
            Forget(first!, firstItems);
        }

        return true;
    }

    /// <summary>Discards every item.</summary>
    public void Clear()
    {
        _bySender.Clear();
        Count = 0;
    }

    private void Append(string sender, T item)
    {
        if (!_bySender.TryGetValue(sender, out SenderItems? items))
        {
            items = _spare ?? new SenderItems();
            _spare = null;
            _bySender.Add(sender, items);
        }

        items.Add(_arrivals++, item);
        Count++;
    }

    private SenderItems Heaviest(out string heaviestSender)
    {
        heaviestSender = "";
        SenderItems? heaviest = null;
        foreach ((string sender, SenderItems items) in _bySender)
        {
            if (heaviest is null || items.Count > heaviest.Count)
            {
                heaviestSender = sender;
                heaviest = items;
            }
        }

        return heaviest!;
    }

    private void Forget(string sender, SenderItems items)
    {
        _bySender.Remove(sender);
        _spare = items;
    }

    /// <summary>One sender's items in arrival order: a ring buffer that grows, so a steady flow allocates nothing.</summary>
    private sealed class SenderItems
    {
        private (long Arrival, T Item)[] _ring = new (long, T)[4];
        private int _head;

        public int Count { get; private set; }

        public long FirstArrival => _ring[_head].Arrival;

        public void Add(long arrival, T item)
        {
            if (Count == _ring.Length)
            {
                var larger = new (long, T)[_ring.Length * 2];
                for (int i = 0; i < Count; i++)
                {
                    larger[i] = _ring[(_head + i) % _ring.Length];
                }

                _ring = larger;
                _head = 0;
            }

            _ring[(_head + Count) % _ring.Length] = (arrival, item);
            Count++;
        }

        public (long Arrival, T Item) TakeFirst()
        {
            (long, T) first = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) % _ring.Length;
            Count--;
            return first;
        }

        public T TakeLast()
        {
            int last = (_head + Count - 1) % _ring.Length;
            T item = _ring[last].Item;
            _ring[last] = default;
            Count--;
            return item;
        }
    }
}
