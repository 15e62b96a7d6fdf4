using Truffle.Tests.Sync;

namespace Truffle.Tests.Simulation;

/// <summary>
/// What must hold after every simulated schedule, whatever the faults did: at most one primary per term (where
/// checked), every delivery with its true sender and in order per sender, sync converged once the network healed,
/// no slice of a departed device held anywhere, nothing left running after every device stopped, and no call into
/// the network from a thread other than the simulation's.
/// </summary>
internal static class Invariants
{
    /// <summary>
    /// Settles the network, checks everything, then stops every device and checks what they left; returns every
    /// violation, each a line of the failure message.
    /// </summary>
    public static List<string> CheckAfterChaos(SimulatedNetwork network, bool onePrimaryPerTerm)
    {
        List<string> violations = [];
        if (onePrimaryPerTerm)
        {
            violations.AddRange(network.History.Violations);
        }

        if (!Chaos.Settle(network))
        {
            violations.Add($"the mesh did not settle after the chaos: {network.Describe()}");
        }
        else
        {
            violations.AddRange(SyncConverged<Status>(network));
            violations.AddRange(SyncConverged<Cursor>(network));
        }

        violations.AddRange(NoSliceOfDepartedDevices<Status>(network));
        violations.AddRange(Deliveries.Violations(network));
        violations.AddRange(StopAll(network));
        violations.AddRange(network.ThreadViolations);
        return violations;
    }

    /// <summary>The failure message of a schedule: its violations, how to replay it, and the last state changes.</summary>
    public static string Describe(SimulatedNetwork network, IEnumerable<string> violations, string test) =>
        $"seed {network.Seed}: {string.Join("; ", violations.Take(10))}\n" +
        $"replay it with: TRUFFLE_SIM_SEED={network.Seed} dotnet test tests/Truffle.Tests -c Release --filter \"FullyQualifiedName~{test}\"\n" +
        network.History.Tail();

    /// <summary>Every running device holds every other running device's local slice as it is, and nothing of one without.</summary>
    public static IEnumerable<string> SyncConverged<T>(SimulatedNetwork network)
        where T : class, ISyncedSlice<T>
    {
        List<SimNode> running = [.. network.Nodes.Where(n => n.Alive)];
        foreach (SimNode owner in running)
        {
            T? expected = owner.Sync.Store<T>().Local;
            foreach (SimNode replica in running.Where(n => n != owner))
            {
                bool held = replica.Sync.Store<T>().Remotes.TryGetValue(owner.Id, out T? actual);
                if (expected is null ? held : !held || !Slices.Same(expected, actual))
                {
                    yield return $"{T.StoreId}: {replica.Id} holds {(held ? actual : "nothing")} of {owner.Id}, which has {expected?.ToString() ?? "nothing"}";
                }
            }
        }
    }

    /// <summary>No running device holds a slice of a device that is down (it left: its slice must not come back).</summary>
    public static IEnumerable<string> NoSliceOfDepartedDevices<T>(SimulatedNetwork network)
        where T : class, ISyncedSlice<T>
    {
        foreach (SimNode departed in network.Nodes.Where(n => !n.Alive))
        {
            foreach (SimNode holder in network.Nodes.Where(n => n.Alive && n.Sync.Store<T>().Remotes.ContainsKey(departed.Id)))
            {
                yield return $"{T.StoreId}: {holder.Id} still holds the slice of {departed.Id}, which left";
            }
        }
    }

    /// <summary>Stops every running device gracefully; what any of them left running is a violation.</summary>
    public static List<string> StopAll(SimulatedNetwork network)
    {
        List<string> leftovers = [];
        foreach (SimNode node in network.Nodes.Where(n => n.Alive))
        {
            node.Stop(leftovers);
        }

        network.Run(TimeSpan.FromSeconds(1));
        leftovers.AddRange(network.OpenConnections.Select(c => $"{c.Owner.Id}: the connection to {c.DeviceId} is open after every device stopped"));
        return leftovers;
    }
}
