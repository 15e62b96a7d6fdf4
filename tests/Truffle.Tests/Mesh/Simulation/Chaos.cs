using Truffle.Mesh;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>A random schedule of faults, all drawn from one seed.</summary>
internal static class Chaos
{
    /// <summary>
    /// Three to five nodes (random ranks, some preferring primary) on a lossy network; for <paramref name="duration"/>
    /// a fault every 0.3–5 s: a random partition, a heal, one link flapping, a paused process (up to 10 s), or a
    /// killed one that restarts 3–10 s later with its persisted term (with <paramref name="restarts"/>).
    /// </summary>
    /// <remarks>
    /// A restart forgets the view: a node that comes back inside a minority partition knows only the members it
    /// reaches, so (by the two-member rule) it may claim the same term as the majority. The invariant is therefore
    /// checked without restarts; with them only the recovery is.
    /// </remarks>
    /// <param name="seed">Where every random choice comes from.</param>
    /// <param name="duration">How long the faults go on, in simulated time.</param>
    /// <param name="restarts">Whether processes are killed and restarted too.</param>
    /// <param name="started">Runs once the nodes have started, before the first fault (to start traffic).</param>
    public static SimulatedNetwork Run(int seed, TimeSpan duration, bool restarts = false, Action<SimulatedNetwork>? started = null)
    {
        var network = new SimulatedNetwork(seed);
        Random random = network.Random;
        network.Conditions = NetworkConditions.Random(random);
        int count = random.Next(3, 6);
        for (int i = 0; i < count; i++)
        {
            network.Add(new ElectionMember($"n{i}", PreferPrimary: random.Next(4) == 0, Priority: random.Next(3)));
        }

        network.StartAll();
        started?.Invoke(network);
        DateTimeOffset end = network.Now + duration;
        while (network.Now < end)
        {
            network.Run(TimeSpan.FromMilliseconds(random.Next(300, 5000)));
            Fault(network, random, restarts);
        }

        return network;
    }

    private static void Fault(SimulatedNetwork network, Random random, bool restarts)
    {
        List<SimNode> nodes = network.Nodes;
        SimNode any = nodes[random.Next(nodes.Count)];
        switch (random.Next(10))
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
            default:
                if (restarts && any.Alive && !any.Paused)
                {
                    network.Kill(any);
                    network.At(TimeSpan.FromMilliseconds(random.Next(3000, 10_000)), () => network.Revive(any));
                }

                break;
        }
    }
}
