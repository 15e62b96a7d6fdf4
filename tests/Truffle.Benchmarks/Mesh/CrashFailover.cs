using System.Diagnostics;
using System.Globalization;

namespace Truffle.Benchmarks.Mesh;

/// <summary>
/// Failover after a crash: three nodes, each in a process of its own (tests/Truffle.TestHost, with its own sidecar),
/// elect a primary; the primary's process is killed with SIGKILL (no goodbye), and the clock runs until both
/// survivors name the same new primary. <c>dotnet run -c Release --project tests/Truffle.Benchmarks -- failover [rounds]</c>.
/// </summary>
internal static class CrashFailover
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var times = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            double elapsed = await RoundAsync(round);
            Console.WriteLine($"round {round + 1}: {elapsed:0} ms");
            times.Add(elapsed);
        }

        times.Sort();
        Console.WriteLine($"| primary killed (SIGKILL) → survivors agree (min, median, max of {rounds}) | {times[0]:0} ms, {times[times.Count / 2]:0} ms, {times[^1]:0} ms |  | ≤ lease + 1 s (4 s) |");
        return 0;
    }

    private static async Task<double> RoundAsync(int round)
    {
        string root = Directory.CreateTempSubdirectory("truffle-failover-").FullName;
        var hosts = new List<TestHostProcess>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                hosts.Add(TestHostProcess.Start($"failover{round}", $"node{i}", Path.Combine(root, $"node{i}"), Path.Combine(root, "registry")));
            }

            string primary = await AgreedAsync(hosts, previous: null);
            TestHostProcess victim = hosts.Single(h => h.DeviceId == primary);
            var clock = Stopwatch.StartNew();
            victim.Kill();
            hosts.Remove(victim);
            await AgreedAsync(hosts, previous: primary);
            return clock.Elapsed.TotalMilliseconds;
        }
        finally
        {
            foreach (TestHostProcess host in hosts)
            {
                await host.StopAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Waits until every host's last role line names one primary other than <paramref name="previous"/>.</summary>
    private static async Task<string> AgreedAsync(List<TestHostProcess> hosts, string? previous)
    {
        using var deadline = new CancellationTokenSource(s_patience);
        while (true)
        {
            Task[] next = [.. hosts.Select(h => h.NextLineAsync())]; // before reading, so no line slips between
            string?[] primaries = [.. hosts.Select(h => h.Primary)];
            if (primaries[0] is { } primary && primary != previous && hosts.All(h => h.DeviceId.Length > 0) && primaries.All(p => p == primary))
            {
                return primary;
            }

            await Task.WhenAny(next).WaitAsync(deadline.Token);
        }
    }
}
