using Microsoft.Extensions.Time.Testing;
using Truffle.Mesh;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>
/// A deterministic network of <see cref="SimNode"/>s on one <see cref="FakeTimeProvider"/>: messages are events on
/// the fake clock with delay, loss, duplication and reordering; links go down and up (partitions), and the nodes
/// hear about it through MemberLost/MemberJoined after a detection delay. Everything random comes from one seed,
/// so a failing seed replays exactly.
/// </summary>
internal sealed partial class SimulatedNetwork
{
    private readonly PriorityQueue<Action, (long At, long Sequence)> _events = new();
    private readonly HashSet<(string, string)> _down = [];
    private long _sequence;

    public SimulatedNetwork(int seed, NetworkConditions? conditions = null, ElectionTimings? timings = null)
    {
        Seed = seed;
        Random = new Random(seed);
        Conditions = conditions ?? NetworkConditions.Healthy;
        Timings = timings ?? new ElectionTimings();
    }

    public int Seed { get; }

    public FakeTimeProvider Clock { get; } = new();

    public Random Random { get; }

    public ElectionTimings Timings { get; }

    public NetworkConditions Conditions { get; set; }

    public ElectionHistory History { get; } = new();

    /// <summary>How the nodes' routers send application envelopes.</summary>
    public TruffleRouting Routing { get; init; } = TruffleRouting.Star;

    public List<SimNode> Nodes { get; } = [];

    /// <summary>Set to see every node's election log (with simulated time) while debugging a seed.</summary>
    public Action<string>? Trace { get; set; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Adds nodes n0, n1, ... of equal preference and priority (so n0 ranks best).</summary>
    public static SimulatedNetwork WithNodes(int count, int seed, NetworkConditions? conditions = null, bool allowMinorityPrimary = false)
    {
        var network = new SimulatedNetwork(seed, conditions);
        for (int i = 0; i < count; i++)
        {
            network.Add(new ElectionMember($"n{i}", PreferPrimary: false, Priority: 0), allowMinorityPrimary);
        }

        return network;
    }

    public SimNode Add(ElectionMember member, bool allowMinorityPrimary = false)
    {
        var node = new SimNode(this, member, allowMinorityPrimary);
        Nodes.Add(node);
        return node;
    }

    public SimNode this[string id] => Nodes.Single(n => n.Id == id);

    /// <summary>Connects every pair whose link is up, at once (hello done), then starts every node.</summary>
    public void StartAll(bool peersExpected = true)
    {
        foreach (SimNode a in Nodes)
        {
            foreach (SimNode b in Nodes)
            {
                if (a != b && a.Alive && b.Alive && IsUp(a, b))
                {
                    Join(a, b);
                }
            }
        }

        foreach (SimNode node in Nodes.Where(n => n.Alive))
        {
            node.Election.Start(peersExpected);
        }
    }

    /// <summary>Runs the clock for <paramref name="duration"/>.</summary>
    public void Run(TimeSpan duration) => RunUntil(() => false, duration);

    /// <summary>Runs until <paramref name="done"/> holds (checked after every step) or <paramref name="limit"/> passes.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
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

            foreach (SimNode node in Nodes)
            {
                if (node.NextDue is { } due && due < next)
                {
                    next = due < now ? now : due;
                }
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
                throw new InvalidOperationException($"Simulation stuck at {Now:O} (seed {Seed})");
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> at now + <paramref name="delay"/> on the simulated clock.</summary>
    public void At(TimeSpan delay, Action action) =>
        _events.Enqueue(action, ((Now + delay).UtcTicks, _sequence++));

    public bool IsUp(SimNode a, SimNode b) => !_down.Contains(Key(a.Id, b.Id));

    /// <summary>Takes the link down (messages stop at once) or up; each side notices after a detection delay.</summary>
    public void SetLink(SimNode a, SimNode b, bool up)
    {
        (string, string) key = Key(a.Id, b.Id);
        if (up ? !_down.Remove(key) : !_down.Add(key))
        {
            return;
        }

        Notice(a, b, up);
        Notice(b, a, up);
    }

    /// <summary>Cuts every link between <paramref name="side"/> and the other nodes.</summary>
    public void Partition(IReadOnlyCollection<SimNode> side)
    {
        foreach (SimNode a in side)
        {
            foreach (SimNode b in Nodes.Except(side))
            {
                SetLink(a, b, up: false);
            }
        }
    }

    /// <summary>Brings every link up again.</summary>
    public void Heal()
    {
        foreach (SimNode a in Nodes)
        {
            foreach (SimNode b in Nodes)
            {
                if (string.CompareOrdinal(a.Id, b.Id) < 0)
                {
                    SetLink(a, b, up: true);
                }
            }
        }
    }

    internal void Transmit(SimNode from, string to, ElectionMessage message)
    {
        SimNode target = this[to];
        if (Random.NextDouble() < Conditions.Loss)
        {
            return;
        }

        int copies = Random.NextDouble() < Conditions.Duplication ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            At(Delay(), () => Deliver(from, target, message));
        }
    }

    private void Deliver(SimNode from, SimNode target, ElectionMessage message)
    {
        // A message in flight when the link went down, or sent by a connection that has since died, is lost.
        if (!from.Alive || !target.Alive || !IsUp(from, target) || !target.IsConnected(from.Id))
        {
            return;
        }

        if (target.Paused)
        {
            target.Hold(new object(), () => Deliver(from, target, message));
            return;
        }

        target.Election.Receive(from.Id, message);
    }

    private void Notice(SimNode node, SimNode peer, bool up)
    {
        TimeSpan after = TimeSpan.FromTicks(Random.NextInt64(Conditions.MaxDetection.Ticks + 1));
        At(after, () => OnNode(node, () =>
        {
            if (!node.Alive || !peer.Alive || IsUp(node, peer) != up)
            {
                return;
            }

            if (up)
            {
                Join(node, peer);
            }
            else
            {
                node.Disconnect(peer.Id);
            }
        }));
    }

    /// <summary>Runs <paramref name="action"/> on the node now, or when it resumes if it is paused.</summary>
    private static void OnNode(SimNode node, Action action)
    {
        if (node.Paused)
        {
            node.Hold(new object(), action);
        }
        else
        {
            action();
        }
    }

    private static void Join(SimNode node, SimNode peer) => node.Connect(peer);

    private TimeSpan Delay()
    {
        if (Random.NextDouble() < Conditions.Spike)
        {
            return Conditions.SpikeDelay;
        }

        long span = (Conditions.MaxDelay - Conditions.MinDelay).Ticks;
        return Conditions.MinDelay + TimeSpan.FromTicks(Random.NextInt64(span + 1));
    }

    private bool HasEventDue(DateTimeOffset now) => _events.TryPeek(out _, out (long At, long Sequence) first) && first.At <= now.UtcTicks;

    private static (string, string) Key(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
}
