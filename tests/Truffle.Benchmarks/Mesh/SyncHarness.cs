using System.Diagnostics;
using Truffle.Sync;

namespace Truffle.Benchmarks.Mesh;

/// <summary>The SPEC §9 sync numbers: delta size of a one-field change, and how fast ten local nodes converge.</summary>
internal static class SyncHarness
{
    /// <summary>Bytes of the delta for a one-field change in the 50-field slice, and of the whole slice.</summary>
    public static (int Delta, int Snapshot) DeltaSize()
    {
        WideSlice before = WideSlice.Create(1), after = before with { Counter = 2 };
        return (SliceDelta.Create(before, after).Values.Length, TruffleSerializer.Serialize(after).Length);
    }

    /// <summary>Time from a one-field change on one node until the nine others hold it, over many changes.</summary>
    public static async Task<Latencies> ConvergenceAsync(int nodes, int changes)
    {
        await using var mesh = new LocalMesh();
        await mesh.StartAsync(nodes);
        await mesh.AgreedPrimaryAsync();
        SyncedStore<WideSlice>[] stores = [.. mesh.Nodes.Select(n => n.Sync.Store<WideSlice>())];
        string owner = mesh.Nodes[^1].DeviceId;
        int target = 0, arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (SyncedStore<WideSlice> store in stores[..^1])
        {
            store.Changed += (_, change) =>
            {
                if (change.DeviceId == owner && change.Value?.Counter == Volatile.Read(ref target)
                    && Interlocked.Increment(ref arrived) == stores.Length - 1)
                {
                    all.TrySetResult();
                }
            };
        }

        var latencies = new Latencies(changes);
        for (int i = 1; i <= changes + 5; i++)
        {
            arrived = 0;
            all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref target, i);
            long start = Stopwatch.GetTimestamp();
            stores[^1].Local = WideSlice.Create(i);
            await all.Task.WaitAsync(TimeSpan.FromSeconds(30));
            if (i > 5)
            {
                latencies.Add(Stopwatch.GetElapsedTime(start));
            }
        }

        return latencies;
    }
}
