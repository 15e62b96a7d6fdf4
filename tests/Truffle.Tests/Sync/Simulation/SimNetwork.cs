using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Truffle.Sync;

namespace Truffle.Tests.Sync.Simulation;

/// <summary>
/// An in-memory network of <see cref="SyncEngine"/>s that share one <see cref="FakeTimeProvider"/> and one seeded
/// <see cref="System.Random"/>: deterministic for a seed. Messages are queued with a delivery time and may be lost,
/// duplicated, delayed past each other, or relayed through a third device's queue, as <see cref="Faults"/> says.
/// Everything runs on the calling thread: timers fire inside <see cref="RunFor"/>.
/// </summary>
internal sealed class SimNetwork : IDisposable
{
    private readonly PriorityQueue<Packet, (long Due, long Order)> _queue = new();
    private readonly List<SimNode> _nodes = [];
    private long _order;

    public SimNetwork(int seed, SyncOptions? options = null)
    {
        Random = new Random(seed);
        Options = options ?? new SyncOptions();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public Random Random { get; }

    public SyncOptions Options { get; set; }

    public Faults Faults { get; set; } = Faults.None;

    /// <summary>Sees every message as it is sent (before faults); returning false drops it.</summary>
    public Func<string, string, SyncMessage, bool>? Tap { get; set; }

    public IReadOnlyList<SimNode> Nodes => _nodes;

    public SimNode this[string id] => _nodes.Single(n => n.Id == id);

    /// <summary>Adds a device (not yet joined to anyone).</summary>
    public SimNode Add(string id, ulong incarnation = 1, SyncOptions? options = null)
    {
        var node = new SimNode(this, id);
        node.Start(incarnation, options ?? Options);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Tells every pair of running devices that they are connected, as the mesh would.</summary>
    public void JoinAll()
    {
        foreach (SimNode a in _nodes.Where(n => n.IsUp))
        {
            foreach (SimNode b in _nodes.Where(n => n.IsUp && n != a))
            {
                a.Engine.DeviceJoined(b.Id, b.Incarnation);
            }
        }
    }

    /// <summary>
    /// Delivers everything due within <paramref name="span"/>, advancing the clock (and firing timers) in steps no
    /// longer than <see cref="IdleStep"/>, so that what a timer sends is delivered within the same run.
    /// </summary>
    public void RunFor(TimeSpan span)
    {
        long end = Time.GetUtcNow().UtcTicks + span.Ticks;
        while (true)
        {
            long now = Time.GetUtcNow().UtcTicks;
            while (_queue.TryPeek(out _, out (long Due, long Order) due) && due.Due <= now)
            {
                Deliver(_queue.Dequeue());
            }

            if (now >= end)
            {
                return;
            }

            long next = Math.Min(end, now + IdleStep.Ticks);
            if (_queue.TryPeek(out _, out (long Due, long Order) first))
            {
                next = Math.Min(next, first.Due);
            }

            AdvanceTo(next);
        }
    }

    /// <summary>The longest clock step while nothing is in flight: the lateness a timer may fire with.</summary>
    public static TimeSpan IdleStep { get; } = TimeSpan.FromMilliseconds(50);

    public void Dispose()
    {
        foreach (SimNode node in _nodes)
        {
            node.Dispose();
        }
    }

    internal void Enqueue(string from, string to, ReadOnlyMemory<byte> message)
    {
        if (SyncMessageCodec.TryRead(message, out SyncMessage? decoded) && Tap?.Invoke(from, to, decoded!) == false)
        {
            return;
        }

        if (Random.NextDouble() < Faults.Loss)
        {
            return;
        }

        byte[] copy = message.ToArray();
        int copies = Random.NextDouble() < Faults.Duplicate ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            string? relay = null;
            if (Random.NextDouble() < Faults.Relay)
            {
                SimNode[] others = [.. _nodes.Where(n => n.IsUp && n.Id != from && n.Id != to)];
                relay = others.Length == 0 ? null : others[Random.Next(others.Length)].Id;
            }

            Schedule(new Packet(from, to, copy, relay));
        }
    }

    private void Schedule(Packet packet)
    {
        long delay = TimeSpan.TicksPerMillisecond + (long)(Random.NextDouble() * Math.Max(0, Faults.MaxDelay.Ticks - TimeSpan.TicksPerMillisecond));
        _queue.Enqueue(packet, (Time.GetUtcNow().UtcTicks + delay, _order++));
    }

    private void Deliver(Packet packet)
    {
        if (packet.Relay is { } relay)
        {
            // The first hop reached the relay's queue; it forwards later, keeping the original sender.
            if (_nodes.Any(n => n.Id == relay && n.IsUp))
            {
                Schedule(packet with { Relay = null });
            }

            return;
        }

        if (_nodes.SingleOrDefault(n => n.Id == packet.To) is { IsUp: true } target)
        {
            target.Engine.Receive(packet.From, packet.Bytes);
        }
    }

    private void AdvanceTo(long ticks)
    {
        long now = Time.GetUtcNow().UtcTicks;
        if (ticks > now)
        {
            Time.Advance(TimeSpan.FromTicks(ticks - now));
        }
    }

    private sealed record Packet(string From, string To, byte[] Bytes, string? Relay);
}

/// <summary>One simulated device: its current engine (replaced on restart) and its output into the network.</summary>
internal sealed class SimNode(SimNetwork network, string id) : ISyncOutput, IDisposable
{
    private SyncEngine? _engine;

    public string Id { get; } = id;

    public ulong Incarnation { get; private set; }

    public bool IsUp => _engine is not null;

    public SyncEngine Engine => _engine ?? throw new InvalidOperationException($"{Id} is down.");

    public SyncedStore<T> Store<T>()
        where T : class, ISyncedSlice<T> => Engine.Store<T>();

    public void Start(ulong incarnation, SyncOptions options)
    {
        Incarnation = incarnation;
        _engine = new SyncEngine(Id, incarnation, this, network.Time, options, NullLogger.Instance);
    }

    public void Dispose() => Stop();

    /// <summary>Stops the engine without a goodbye (a crash).</summary>
    public void Stop()
    {
        _engine?.Dispose();
        _engine = null;
    }

    public void Broadcast(ReadOnlyMemory<byte> message)
    {
        foreach (SimNode other in network.Nodes.Where(n => n.IsUp && n != this))
        {
            network.Enqueue(Id, other.Id, message);
        }
    }

    public void Send(string deviceId, ReadOnlyMemory<byte> message)
    {
        if (network.Nodes.Any(n => n.Id == deviceId && n.IsUp))
        {
            network.Enqueue(Id, deviceId, message);
        }
    }
}
