using System.Diagnostics;
using Truffle.Tests.Sync;

namespace Truffle.Tests.Simulation.Scale;

/// <summary>
/// One mesh of <see cref="Size"/> simulated devices taken through the phases whose cost grows with the mesh:
/// formation, one sync change, every device publishing a slice, a digest round, one broadcast and the primary's
/// failover. Each phase is run until its condition holds and recorded as a <see cref="ScalePhase"/>: the simulated
/// time it took, what the network carried meanwhile and the wall-clock time the simulation needed.
/// </summary>
/// <remarks>
/// Conditions are checked at most once per <see cref="CheckEvery"/> of simulated time (a check reads every device), so
/// the simulated times are exact to that step. Devices run the production defaults: star routing, election timings,
/// sync options.
/// </remarks>
internal sealed class ScaleRun
{
    /// <summary>The resolution of the recorded simulated times.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(1);

    private readonly TimeSpan _limit;
    private readonly Stopwatch _wall = new();

    public ScaleRun(int size, int seed, TimeSpan limit, TruffleRouting routing = TruffleRouting.Star)
    {
        Size = size;
        _limit = limit;
        Network = new SimulatedNetwork(seed) { Routing = routing };
        for (int i = 0; i < size; i++)
        {
            // Zero-padded so the ordinal rank order is the numeric one (d0000 ranks best).
            SimNode node = Network.Add(new Truffle.Mesh.ElectionMember($"d{i:D4}", PreferPrimary: false, Priority: 0));
            node.OnStart = n => n.Sync.Store<Status>();
        }
    }

    public int Size { get; }

    public SimulatedNetwork Network { get; }

    public List<ScalePhase> Phases { get; } = [];

    /// <summary>Every device starts at once; until each is connected to every other and all agree on one primary.</summary>
    public ScalePhase Formation() => Measure("formation", Network.StartAll, () => FullyConnected() && Network.AgreedPrimary() is not null);

    /// <summary>The worst-ranked device changes its slice; until every other device holds the new value.</summary>
    public ScalePhase OneChange()
    {
        SimNode owner = Network.Nodes[^1];
        var status = new Status("busy", 40, [], 1);
        return Measure("sync: one change", () => owner.Store<Status>().Local = status, () => AllHold(owner, status));
    }

    /// <summary>Every device publishes a slice at once (presence at start-up); until every device holds every slice.</summary>
    public ScalePhase EveryonePublishes()
    {
        List<SimNode> owners = [.. Network.Nodes.Where(n => n.Alive)];
        return Measure(
            "sync: every device publishes",
            () => owners.ForEach(n => n.Store<Status>().Update(s => (s ?? new Status("idle", 50, [], 0)) with { Counter = 100 })),
            () => owners.All(owner => AllHold(owner, owner.Store<Status>().Local!)));
    }

    /// <summary>One digest interval of an idle mesh whose devices all hold every slice: digests, heartbeats, pings.</summary>
    public ScalePhase IdleDigestInterval() => Measure("idle: one digest interval", () => Network.Run(Network.Sync.DigestInterval), () => true);

    /// <summary>The worst-ranked device broadcasts one message (relayed by the primary in a star); until every other device's bus has it.</summary>
    public ScalePhase Broadcast()
    {
        SimNode sender = Network.Nodes[^1];
        List<(SimNode Node, long Before)> receivers = [.. Network.Nodes.Where(n => n.Alive && n != sender).Select(n => (n, n.Delivered))];
        return Measure(
            "broadcast from a secondary",
            () => sender.Bus.BroadcastAsync(Traffic.Namespace, "m", new byte[128]).AsTask().GetAwaiter().GetResult(),
            () => receivers.All(r => r.Node.Delivered > r.Before));
    }

    /// <summary>The primary is killed (no goodbye); until the survivors agree on another primary.</summary>
    public ScalePhase Failover()
    {
        SimNode primary = Network.AgreedPrimary() ?? throw new InvalidOperationException($"no agreed primary: {Network.Describe()}");
        return Measure("failover: primary killed", primary.Kill, () => Network.AgreedPrimary() is { } next && next != primary);
    }

    /// <summary>
    /// The primary freezes (a crash the network does not report, as a tailnet keeps a dead device listed); until the
    /// others agree on another primary, which takes the lease. The frozen device is killed afterwards.
    /// </summary>
    public ScalePhase FrozenPrimary()
    {
        SimNode primary = Network.AgreedPrimary() ?? throw new InvalidOperationException($"no agreed primary: {Network.Describe()}");
        List<SimNode> others = [.. Network.Nodes.Where(n => n.Alive && n != primary)];
        ScalePhase phase = Measure("failover: primary frozen (lease)", primary.Pause, () => Network.AgreedPrimary(others) is not null);
        primary.Kill();
        Network.Run(TimeSpan.FromSeconds(1));
        return phase;
    }

    /// <summary>Whether every running device has an open, started connection to every other running device.</summary>
    public bool FullyConnected()
    {
        List<SimNode> running = [.. Network.Nodes.Where(n => n.Alive)];
        if (running.Any(n => n.Network!.Attached.Count < running.Count - 1))
        {
            return false;
        }

        return running.All(n => running.All(m => m == n || n.Network!.Attached.ContainsKey(m.Id)));
    }

    private bool AllHold(SimNode owner, Status value) =>
        Network.Nodes.All(n => n == owner || !n.Alive
            || (n.Store<Status>().Remotes.TryGetValue(owner.Id, out Status? held) && Slices.Same(held, value)));

    private ScalePhase Measure(string name, Action start, Func<bool> done)
    {
        WireTally.Counts before = Network.Carried.Snapshot();
        DateTimeOffset began = Network.Now;
        DateTimeOffset nextCheck = began;
        _wall.Restart();
        SimulatedNetwork.Inline(start);
        bool finished = Network.RunUntil(
            () =>
            {
                if (Network.Now < nextCheck)
                {
                    return false;
                }

                nextCheck = Network.Now + CheckEvery;
                return done();
            },
            _limit);
        _wall.Stop();
        var phase = new ScalePhase(Size, name, finished, Network.Now - began, Network.Carried.Snapshot().Since(before), _wall.Elapsed);
        Phases.Add(phase);
        return phase;
    }
}
