using Microsoft.Extensions.Time.Testing;
using Truffle.Mesh;
using Truffle.Sync;
using Truffle.Transport;

namespace Truffle.Tests.Simulation;

/// <summary>
/// A deterministic network of devices, each running the production <see cref="MeshNode"/>, <see cref="MessageBus"/>
/// and <see cref="SyncEngine"/> over an in-memory <see cref="IPeerNetwork"/>, all on one
/// <see cref="FakeTimeProvider"/>. Envelopes are events on the fake clock with delay, loss, duplication and
/// reordering; links go down and up (partitions), processes pause, die, restart and lose their sidecar. Everything
/// random comes from one seed and everything runs on the thread that calls <see cref="RunUntil"/>, so a failing seed
/// replays exactly.
/// </summary>
/// <remarks>
/// Only the handlers of bus subscriptions run elsewhere (on the thread pool, as in production); they only record
/// what they receive. A call into the simulated network from any other thread is recorded in
/// <see cref="ThreadViolations"/>: it would make the schedule depend on the thread pool.
/// </remarks>
internal sealed partial class SimulatedNetwork
{
    /// <summary>The app id every simulated device runs.</summary>
    public const string AppId = "sim";

    private readonly PriorityQueue<Action, (long At, long Sequence)> _events = new();
    private readonly HashSet<(string, string)> _down = [];

    // Processes whose clock has a timer due at the key, or later (entries go stale when a timer is moved or disposed):
    // the next due timer is found here instead of by asking every process at every step, which at 1,000 devices cost
    // more than the events themselves (docs/scale.md).
    private readonly PriorityQueue<NodeClock, (long At, long Sequence)> _timers = new();
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private long _sequence;

    public SimulatedNetwork(int seed, NetworkConditions? conditions = null, ElectionTimings? timings = null)
    {
        Seed = seed;
        Random = new Random(seed);
        Conditions = conditions ?? NetworkConditions.Healthy;
        Timings = timings ?? new ElectionTimings();
    }

    public int Seed { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public Random Random { get; }

    public ElectionTimings Timings { get; }

    public NetworkConditions Conditions { get; set; }

    /// <summary>
    /// The connections' settings. The production defaults, except reconnects capped at 5 s instead of 30 s, so
    /// a healed partition is noticed within seconds of simulated time (the backoff itself has tests of its own).
    /// </summary>
    public TransportOptions Transport { get; init; } = new() { ReconnectMaxDelay = TimeSpan.FromSeconds(5) };

    /// <summary>The sync engines' settings.</summary>
    public SyncOptions Sync { get; set; } = new();

    public ElectionHistory History { get; } = new();

    /// <summary>How the devices route application envelopes.</summary>
    public TruffleRouting Routing { get; init; } = TruffleRouting.Star;

    public List<SimNode> Nodes { get; } = [];

    /// <summary>Set to see every device's log (with simulated time) while debugging a seed.</summary>
    public Action<string>? Trace { get; set; }

    /// <summary>Sees every envelope as it is sent (decoded) and may drop it by returning false.</summary>
    public Func<SimNode, SimNode, Wire.Envelope, bool>? Tap { get; set; }

    /// <summary>
    /// Sees every sync message a device sends itself (not a primary's relay of it), decoded, and may drop it by
    /// returning false. Sets <see cref="Tap"/>.
    /// </summary>
    public Func<SimNode, SimNode, SyncMessage, bool>? SyncTap
    {
        set => Tap = value is null ? null : (from, to, envelope) =>
            envelope.Namespace != StoreSyncAdapter.Namespace || envelope.From != from.Id
            || !SyncMessageCodec.TryRead(envelope.Payload, out SyncMessage? message) || value(from, to, message!);
    }

    /// <summary>Calls into the simulated network from a thread other than the simulation's (each one a bug).</summary>
    public List<string> ThreadViolations { get; } = [];

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Adds devices n0, n1, ... of equal preference and priority (so n0 ranks best).</summary>
    public static SimulatedNetwork WithNodes(int count, int seed, NetworkConditions? conditions = null, bool allowMinorityPrimary = false)
    {
        var network = new SimulatedNetwork(seed, conditions);
        for (int i = 0; i < count; i++)
        {
            network.Add(new ElectionMember($"n{i}", PreferPrimary: false, Priority: 0), allowMinorityPrimary);
        }

        return network;
    }

    /// <summary>Adds a device; it runs once started (<see cref="StartAll"/> or <see cref="SimNode.Start"/>).</summary>
    public SimNode Add(ElectionMember member, bool allowMinorityPrimary = false)
    {
        var node = new SimNode(this, member, allowMinorityPrimary);
        Nodes.Add(node);
        return node;
    }

    /// <summary>Adds an observer (<see cref="TruffleOptions.Observer"/>); it runs once started.</summary>
    public SimNode AddObserver(string id)
    {
        var node = new SimNode(this, new ElectionMember(id, PreferPrimary: true, Priority: int.MaxValue), allowMinorityPrimary: false, observer: true);
        Nodes.Add(node);
        return node;
    }

    public SimNode this[string id] => Nodes.Single(n => n.Id == id);

    /// <summary>Starts every device that is not running, in order.</summary>
    public void StartAll()
    {
        foreach (SimNode node in Nodes.Where(n => !n.Alive))
        {
            node.Start();
        }
    }

    /// <summary>Devices with these ids, of equal rank (so the first in ordinal order ranks best), not started.</summary>
    public static SimulatedNetwork WithDevices(int seed, params string[] ids)
    {
        var network = new SimulatedNetwork(seed);
        foreach (string id in ids)
        {
            network.Add(new ElectionMember(id, PreferPrimary: false, Priority: 0));
        }

        return network;
    }

    /// <summary>Starts every device and runs until all are connected to each other and agree on one primary.</summary>
    public void StartAndSettle()
    {
        StartAll();
        WaitSettled();
    }

    /// <summary>Runs until every running device is connected to every other and all agree on one primary.</summary>
    /// <remarks>
    /// Ten simulated seconds: on a network that drops up to a fifth of all messages (harsher than any TCP path, which
    /// delays rather than loses), the votes and answers a member needs before it follows a claim may take a few
    /// heartbeat intervals to get through.
    /// </remarks>
    /// <exception cref="InvalidOperationException">They did not within ten simulated seconds.</exception>
    public void WaitSettled()
    {
        if (!RunUntil(() => FullyConnected() && AgreedPrimary() is not null, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException($"seed {Seed}: the mesh did not settle: {Describe()}");
        }
    }

    /// <summary>Runs the clock for <paramref name="duration"/>.</summary>
    public void Run(TimeSpan duration) => RunUntil(() => false, duration);

    /// <summary>Runs until <paramref name="done"/> holds (checked after every step) or <paramref name="limit"/> passes.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit) => Inline(() => Step(done, limit));

    /// <summary>
    /// Runs <paramref name="work"/> with no synchronization context, so that a task completed by the simulation
    /// resumes its awaiter at once, on this thread. (A test framework's context would send every such continuation
    /// to the thread pool instead, out of the schedule.)
    /// </summary>
    public static T Inline<T>(Func<T> work)
    {
        SynchronizationContext? context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return work();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <inheritdoc cref="Inline{T}(Func{T})"/>
    public static void Inline(Action work) => Inline(() =>
    {
        work();
        return true;
    });

    private bool Step(Func<bool> done, TimeSpan limit)
    {
        DateTimeOffset end = Now + limit;
        int idle = 0;
        while (true)
        {
            if (done())
            {
                return true;
            }

            DateTimeOffset now = Now;
            DateTimeOffset next = end;
            if (_events.TryPeek(out _, out (long At, long Sequence) first) && first.At < next.UtcTicks)
            {
                next = new DateTimeOffset(first.At, TimeSpan.Zero);
            }

            if (NextTimer() is { } due && due < next)
            {
                next = due < now ? now : due;
            }

            if (next <= now && now >= end && !HasEventDue(now))
            {
                return done();
            }

            Clock.SetUtcNow(next);
            while (_events.TryPeek(out Action? action, out (long At, long Sequence) key) && key.At <= Now.UtcTicks)
            {
                _events.Dequeue();
                action();
            }

            idle = next == now ? idle + 1 : 0;
            if (idle > 100_000)
            {
                throw new InvalidOperationException(
                    $"Simulation stuck at {Now:O} (seed {Seed}): due {string.Join("; ", Nodes.Select(n => $"{n.Id}: {n.TimersDueBy(Now)}"))}");
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> at now + <paramref name="delay"/> on the simulated clock.</summary>
    public void At(TimeSpan delay, Action action) =>
        _events.Enqueue(action, ((Now + delay).UtcTicks, _sequence++));

    /// <summary>Whether every running device has a connection to every other running device.</summary>
    public bool FullyConnected()
    {
        List<SimNode> running = [.. Nodes.Where(n => n.Alive)];
        return running.All(n => running.All(m => m == n || n.IsConnected(m.Id)));
    }

    /// <summary>
    /// The one primary every running device agrees on (same term, every other running device its secondary), or null.
    /// </summary>
    public SimNode? AgreedPrimary(IEnumerable<SimNode>? among = null)
    {
        List<SimNode> nodes = [.. (among ?? Nodes).Where(n => n.Alive && !n.Observer)];
        List<SimNode> primaries = [.. nodes.Where(n => n.IsPrimary)];
        if (primaries.Count != 1)
        {
            return null;
        }

        SimNode primary = primaries[0];
        bool agreed = nodes.All(n => n == primary
            || (n.Reported.Role == MeshRole.Secondary && n.Reported.PrimaryId == primary.Id && n.Reported.Term == primary.Reported.Term));
        return agreed ? primary : null;
    }

    /// <summary>Every device's role, primary and term, for failure messages.</summary>
    public string Describe() => string.Join(", ", Nodes.Select(n =>
        $"{n.Id}:{(n.Alive ? n.Reported.Role.ToString() : "down")}/{n.Reported.PrimaryId ?? "-"}/t{n.Reported.Term}" +
        $"[{string.Join(' ', n.ConnectedPeers)}]"));

    /// <summary>Records a call from the wrong thread (see <see cref="ThreadViolations"/>).</summary>
    internal void CheckThread(string what)
    {
        if (Environment.CurrentManagedThreadId != _threadId)
        {
            lock (ThreadViolations)
            {
                ThreadViolations.Add($"{what} at {Now:HH:mm:ss.fff} on thread {Environment.CurrentManagedThreadId}");
            }
        }
    }

    /// <summary>A delay for one envelope or event: the configured range, or now and then a spike.</summary>
    internal TimeSpan Delay()
    {
        if (Random.NextDouble() < Conditions.Spike)
        {
            return Conditions.SpikeDelay;
        }

        long span = (Conditions.MaxDelay - Conditions.MinDelay).Ticks;
        return Conditions.MinDelay + TimeSpan.FromTicks(Random.NextInt64(span + 1));
    }

    /// <summary>A timer of <paramref name="clock"/> is due at <paramref name="due"/>.</summary>
    internal void TimerScheduled(NodeClock clock, DateTimeOffset due) => _timers.Enqueue(clock, (due.UtcTicks, _sequence++));

    // The earliest due time of any running process's timers: the queue's first entry once the stale ones are dropped
    // (a process whose earliest timer is now later is queued again at that time).
    private DateTimeOffset? NextTimer()
    {
        while (_timers.TryPeek(out NodeClock? clock, out (long At, long Sequence) key))
        {
            DateTimeOffset? due = clock.NextDue();
            if (due?.UtcTicks == key.At)
            {
                return due;
            }

            _timers.Dequeue();
            if (due is { } later)
            {
                _timers.Enqueue(clock, (later.UtcTicks, _sequence++));
            }
        }

        return null;
    }

    private bool HasEventDue(DateTimeOffset now) => _events.TryPeek(out _, out (long At, long Sequence) first) && first.At <= now.UtcTicks;
}
