using Truffle.Mesh;
using Truffle.Tests.Sync;

namespace Truffle.Tests.Simulation;

/// <summary>A random schedule of faults, traffic and slice edits, all drawn from one seed.</summary>
internal static class Chaos
{
    /// <summary>
    /// Three to five devices (random ranks, some preferring primary) on a lossy network, each with two synced stores;
    /// for <paramref name="duration"/> a fault every 0.3–5 s: a random partition, a heal, one link flapping, a paused
    /// process (up to 10 s), a sidecar that dies and comes back, and, with <paramref name="restarts"/>, a process
    /// killed or stopped that starts again 3–10 s later with its persisted term. Slices are edited all along.
    /// </summary>
    /// <remarks>
    /// A restart forgets the view: a device that comes back inside a minority partition knows only the members it
    /// reaches, so (by the two-member rule) it may claim the same term as the majority. "At most one primary per term"
    /// is therefore checked on schedules without restarts; with them, everything else is.
    /// </remarks>
    /// <param name="seed">Where every random choice comes from.</param>
    /// <param name="duration">How long the faults go on, in simulated time.</param>
    /// <param name="restarts">Whether processes are killed, stopped and started again too.</param>
    /// <param name="started">Runs once the devices have started, before the first fault (to start traffic).</param>
    /// <param name="trace">Receives every device's log, for replaying one seed.</param>
    public static SimulatedNetwork Run(
        int seed, TimeSpan duration, bool restarts = false, Action<SimulatedNetwork>? started = null, Action<string>? trace = null)
    {
        var network = new SimulatedNetwork(seed) { Trace = trace };
        Random random = network.Random;
        network.Conditions = NetworkConditions.Random(random);
        network.Sync = network.Sync with { CoalesceWindow = random.Next(2) == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(10) };
        int count = random.Next(3, 6);
        for (int i = 0; i < count; i++)
        {
            SimNode node = network.Add(new ElectionMember($"n{i}", PreferPrimary: random.Next(4) == 0, Priority: random.Next(3)));
            node.OnStart = OpenStores;
        }

        // The devices start and form the mesh before the first fault: two devices that each start without seeing the
        // other both become primary of their first term by design (a lone device must lead), which is not the
        // partitioned election this schedule tests.
        network.StartAndSettle();
        started?.Invoke(network);
        DateTimeOffset end = network.Now + duration;
        while (network.Now < end)
        {
            network.Run(TimeSpan.FromMilliseconds(random.Next(300, 5000)));
            Fault(network, random, restarts);
            Edit(network, random);
        }

        return network;
    }

    /// <summary>
    /// Ends the chaos: healthy conditions, every link up, every paused process resumed; then runs until the running
    /// devices agree on one primary and are all connected, and a digest interval more (from the last start) so sync
    /// repairs what was lost.
    /// Devices that are down stay down. False when the mesh did not settle.
    /// </summary>
    public static bool Settle(SimulatedNetwork network)
    {
        network.Conditions = NetworkConditions.Healthy;
        foreach (SimNode node in network.Nodes.Where(n => n.Paused))
        {
            node.Resume();
        }

        network.Heal();
        TimeSpan reconnect = network.Transport.ReconnectMaxDelay + TimeSpan.FromSeconds(10);
        bool settled = network.RunUntil(() => network.FullyConnected() && network.AgreedPrimary() is not null, reconnect);

        // A digest interval after the last process started (a restart the chaos scheduled can land in the settling):
        // a snapshot lost on its join is repaired by the owner's next digest, which may be a whole interval away.
        TimeSpan repair = network.Sync.DigestInterval + TimeSpan.FromSeconds(2);
        network.Run(repair);
        for (int i = 0; i < 10 && network.Nodes.Where(n => n.Alive).Select(n => n.StartedAt).DefaultIfEmpty().Max() + repair - network.Now is { Ticks: > 0 } rest; i++)
        {
            network.Run(rest);
        }

        return settled && network.AgreedPrimary() is not null;
    }

    /// <summary>Opens the stores every chaos device writes, so each restart opens them again.</summary>
    public static void OpenStores(SimNode node)
    {
        node.Sync.Store<Status>();
        node.Sync.Store<Cursor>();
    }

    private static void Fault(SimulatedNetwork network, Random random, bool restarts)
    {
        List<SimNode> nodes = network.Nodes;
        SimNode any = nodes[random.Next(nodes.Count)];
        switch (random.Next(12))
        {
            case 0 or 1 or 2:
                network.Partition([.. nodes.Where(_ => random.Next(2) == 0)]);
                break;
            case 3 or 4 or 5:
                network.Heal();
                break;
            case 6:
                SimNode other = nodes[random.Next(nodes.Count)];
                if (other != any)
                {
                    network.SetLink(any, other, !network.IsUp(any, other));
                }

                break;
            case 7 or 8:
                if (any.Alive && !any.Paused)
                {
                    any.Pause();
                    network.At(TimeSpan.FromMilliseconds(random.Next(500, 10_000)), any.Resume);
                }

                break;
            case 9:
                any.LoseSidecar(TimeSpan.FromMilliseconds(random.Next(100, 2000)));
                break;
            default:
                if (restarts && any.Alive && !any.Paused)
                {
                    if (random.Next(2) == 0)
                    {
                        any.Kill();
                    }
                    else
                    {
                        any.Stop();
                    }

                    network.At(TimeSpan.FromMilliseconds(random.Next(3000, 10_000)), () =>
                    {
                        if (!any.Alive)
                        {
                            any.Start();
                        }
                    });
                }

                break;
        }
    }

    /// <summary>A few random edits of running, unpaused devices' local slices.</summary>
    private static void Edit(SimulatedNetwork network, Random random)
    {
        foreach (SimNode node in network.Nodes.Where(n => n.Alive && !n.Paused && random.Next(3) == 0))
        {
            switch (random.Next(10))
            {
                case < 6:
                    node.Sync.Store<Status>().Update(s => Slices.Edit(random, s));
                    break;
                case < 9:
                    node.Sync.Store<Cursor>().Local = new Cursor(random.Next(3), random.Next(3));
                    break;
                default:
                    node.Sync.Store<Status>().Local = null;
                    break;
            }
        }
    }
}
