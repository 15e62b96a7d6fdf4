using Truffle.Tests.Sync.Simulation;
using Xunit;

namespace Truffle.Tests.Sync;

/// <summary>
/// The convergence property of SPEC §7, over many seeds of the simulated network: whatever the faults did, once
/// they stop and one digest interval passes, every replica equals its owner's local slice.
/// </summary>
public sealed class SyncConvergenceTests
{
    private const int Seeds = 500;

    [Fact]
    public void Replicas_converge_to_their_owners_after_loss_duplication_reordering_and_relay()
    {
        for (int seed = 0; seed < Seeds; seed++)
        {
            Run(seed, crashes: false);
        }
    }

    [Fact]
    public void Replicas_converge_after_crashes_and_restarts_with_a_new_incarnation()
    {
        for (int seed = 0; seed < Seeds; seed++)
        {
            Run(10_000 + seed, crashes: true);
        }
    }

    private static void Run(int seed, bool crashes)
    {
        using var net = new SimNetwork(seed);
        Random random = net.Random;
        net.Options = net.Options with { CoalesceWindow = random.Next(2) == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(10) };
        int devices = 2 + random.Next(4);
        for (int i = 0; i < devices; i++)
        {
            Open(net.Add($"d{i}"));
        }

        net.JoinAll();
        net.Faults = Faults.Random(random);
        int steps = 10 + random.Next(40);
        for (int step = 0; step < steps; step++)
        {
            SimNode node = net.Nodes[random.Next(devices)];
            int op = random.Next(100);
            if (op < 55)
            {
                node.Store<Status>().Update(s => Slices.Edit(random, s));
            }
            else if (op < 80)
            {
                node.Store<Cursor>().Local = new Cursor(random.Next(3), random.Next(3));
            }
            else if (op < 88)
            {
                node.Store<Status>().Local = null;
            }
            else if (crashes)
            {
                Restart(net, node);
            }

            net.RunFor(TimeSpan.FromMilliseconds(random.Next(40)));
        }

        net.Faults = Faults.None;
        net.RunFor(net.Options.DigestInterval + TimeSpan.FromSeconds(2));

        AssertConverged<Status>(net, seed);
        AssertConverged<Cursor>(net, seed);
    }

    private static void Open(SimNode node)
    {
        node.Store<Status>();
        node.Store<Cursor>();
    }

    // A crash without goodbye, then a new engine with the next incarnation; the mesh tells both sides it connected.
    private static void Restart(SimNetwork net, SimNode node)
    {
        node.Stop();
        node.Start(node.Incarnation + 1, net.Options);
        Open(node);
        foreach (SimNode other in net.Nodes.Where(n => n != node))
        {
            other.Engine.DeviceJoined(node.Id, node.Incarnation);
            node.Engine.DeviceJoined(other.Id, other.Incarnation);
        }
    }

    private static void AssertConverged<T>(SimNetwork net, int seed)
        where T : class, ISyncedSlice<T>
    {
        foreach (SimNode owner in net.Nodes)
        {
            T? expected = owner.Store<T>().Local;
            foreach (SimNode replica in net.Nodes.Where(n => n != owner))
            {
                bool held = replica.Store<T>().Remotes.TryGetValue(owner.Id, out T? actual);
                Assert.True(
                    expected is null ? !held : held && Slices.Same(expected, actual),
                    $"seed {seed}, {T.StoreId}: {replica.Id} holds {(held ? actual : "nothing")} of {owner.Id}, which has {expected?.ToString() ?? "nothing"}");
            }
        }
    }
}
