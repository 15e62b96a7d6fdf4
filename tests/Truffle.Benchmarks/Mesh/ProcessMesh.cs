using System.Diagnostics;
using System.Globalization;

namespace Truffle.Benchmarks.Mesh;

/// <summary>
/// A mesh of real processes on this machine (docs/scale.md): <c>count</c> tests/Truffle.TestHost nodes, each with
/// its own sidecar, on one loopback network, started at once. Measures formation (launch → every node names the same
/// primary and sees every other online), a broadcast from a secondary until every other node printed it (several
/// rounds), and resident memory per host and per sidecar.
/// <c>dotnet run -c Release --project tests/Truffle.Benchmarks -- processes [count] [broadcasts]</c>.
/// </summary>
internal static class ProcessMesh
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        int broadcasts = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        string root = Directory.CreateTempSubdirectory("truffle-processes-").FullName;
        var hosts = new List<TestHostProcess>();
        try
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                hosts.Add(TestHostProcess.Start("scale", $"node{i:D2}", Path.Combine(root, $"node{i}"), Path.Combine(root, "registry")));
            }

            string primary = await UntilAsync(hosts, () =>
                hosts[0].Primary is { } p && hosts.All(h => h.DeviceId.Length > 0 && h.Primary == p && h.Online == count - 1) ? p : null);
            double formation = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine($"formation: {formation:0} ms, primary {primary}");

            TestHostProcess sender = hosts.First(h => h.DeviceId != primary);
            var times = new List<double>();
            for (int round = 0; round < broadcasts; round++)
            {
                int[] before = [.. hosts.Select(h => h.Notes)];
                clock.Restart();
                await sender.CommandAsync($"broadcast round {round}");
                await UntilAsync(hosts, () => hosts.Select((h, i) => h == sender || h.Notes > before[i]).All(b => b) ? "" : null);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            (long Host, long Sidecar)[] memory = [.. hosts.Select(h => h.ResidentKiB())];
            Console.WriteLine();
            Console.WriteLine($"| {count} processes on loopback | measured |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| launch → one agreed primary, every node sees {count - 1} online | {formation:0} ms |");
            Console.WriteLine($"| broadcast from a secondary → printed by all {count - 1} others (min, median, max of {broadcasts}) | {times[0]:0.0} ms, {times[times.Count / 2]:0.0} ms, {times[^1]:0.0} ms |");
            Console.WriteLine($"| resident memory per host process (min, median, max) | {Mib(memory.Select(m => m.Host))} |");
            Console.WriteLine($"| resident memory per sidecar (min, median, max) | {Mib(memory.Select(m => m.Sidecar))} |");
            return 0;
        }
        finally
        {
            await Task.WhenAll(hosts.Select(h => h.StopAsync()));
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Mib(IEnumerable<long> kib)
    {
        long[] sorted = [.. kib.Order()];
        return string.Create(CultureInfo.InvariantCulture, $"{sorted[0] / 1024.0:0.0} MiB, {sorted[sorted.Length / 2] / 1024.0:0.0} MiB, {sorted[^1] / 1024.0:0.0} MiB");
    }

    /// <summary>Waits on the hosts' output lines until <paramref name="done"/> returns non-null.</summary>
    private static async Task<string> UntilAsync(List<TestHostProcess> hosts, Func<string?> done)
    {
        using var deadline = new CancellationTokenSource(s_patience);
        while (true)
        {
            Task[] next = [.. hosts.Select(h => h.NextLineAsync())]; // before reading, so no line slips between
            if (done() is { } result)
            {
                return result;
            }

            try
            {
                await Task.WhenAny(next).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"not within {s_patience.TotalSeconds:0} s: " + string.Join(", ",
                    hosts.Select(h => $"{(h.DeviceId.Length > 0 ? h.DeviceId : "(not started)")}→{h.Primary ?? "-"} sees {h.Online}")));
            }
        }
    }
}
