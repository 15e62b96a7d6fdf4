using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Truffle;

namespace Truffle.Benchmarks.Mesh;

/// <summary>
/// The end-to-end harness (SPEC §9): real nodes with real sidecars on the loopback network, measured with a
/// stopwatch because the numbers are about several processes, and nats-server measured the same way in the same run.
/// <c>dotnet run -c Release --project tests/Truffle.Benchmarks -- mesh [messages] [wait|drop]</c>; prints a markdown
/// table. <c>wait</c> or <c>drop</c> gives the receiving subscription a queue of 65,536 with
/// <see cref="OverflowPolicy.Wait"/> or the default drop policy (NATS.Net's Wait mode compares with the first);
/// without either its queue holds the whole run, so only the mesh can lose messages. Every loss is reported.
/// </summary>
internal static class MeshHarness
{
    private const int Size = 128;
    private const int Requests = 10_000;
    private const int QueueCapacity = 65_536;

    public static async Task<int> RunAsync(string[] args)
    {
        int messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        OverflowPolicy? queue = QueueFrom(args.Length > 1 ? args[1] : null);
        var rows = new List<(string What, string Truffle, string Nats, string Goal)>();
        Console.WriteLine($"mesh harness: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");

        // A fresh process runs at about half speed until the JIT has tiered the hot paths up (measured: the first
        // million messages go at ~0.5M msg/s, the next at ~1M), so one full discarded round comes first; NATS gets
        // the same below. The table is the steady state.
        Console.WriteLine("warm-up");
        await ThroughputAsync(messages, relayed: false, queue);
        Console.WriteLine("throughput, direct");
        (double direct, long directLost) = await ThroughputAsync(messages, relayed: false, queue);
        Console.WriteLine("throughput, relayed");
        (double relayed, long relayedLost) = await ThroughputAsync(messages, relayed: true, queue);
        Console.WriteLine("throughput, secondary to secondary with Routing = Direct");
        (double pointToPoint, long pointToPointLost) = await ThroughputAsync(messages, relayed: true, queue, TruffleRouting.Direct);
        Console.WriteLine("request/reply");
        Latencies requests = await RequestReplyAsync();
        Console.WriteLine("transport floor");
        Latencies throughSidecars = await TransportFloor.ThroughSidecarsAsync();
        Latencies plainTcp = await TransportFloor.PlainTcpAsync();
        Console.WriteLine("formation");
        (double formMean, double formMax) = await FormationAsync(rounds: 5);
        Console.WriteLine("failover");
        double failover = await GracefulFailoverAsync();
        Console.WriteLine("sync: ten nodes converge after a one-field change");
        Latencies convergence = await SyncHarness.ConvergenceAsync(nodes: 10, changes: 200);
        (int delta, int snapshot) = SyncHarness.DeltaSize();
        Console.WriteLine("nats-server");

        string natsThroughput = "not installed", natsRequests = "not installed";
        await using (NatsBaseline? nats = await NatsBaseline.StartAsync())
        {
            if (nats is not null)
            {
                await nats.ThroughputAsync(messages, Size); // warm-up, as for Truffle
                natsThroughput = Rate(await nats.ThroughputAsync(messages, Size));
                await nats.RequestReplyAsync(Requests / 2, Size);
                natsRequests = (await nats.RequestReplyAsync(Requests, Size)).Summary;
            }
        }

        rows.Add(("one-way 128 B, secondary → primary (direct)", Rate(direct) + Lost(directLost, messages), natsThroughput, "≥ 1,000,000 msg/s"));
        rows.Add(("one-way 128 B, secondary → secondary (relayed by the primary)", Rate(relayed) + Lost(relayedLost, messages), "", ""));
        rows.Add(("one-way 128 B, secondary → secondary, `Routing = Direct`", Rate(pointToPoint) + Lost(pointToPointLost, messages), "", ""));
        rows.Add(("request → reply, 128 B", requests.Summary, natsRequests, "p50 ≤ 150 µs, p99 ≤ 1 ms"));
        rows.Add(("floor: 256 raw bytes echoed through two sidecars", throughSidecars.Summary, "", ""));
        rows.Add(("floor: 256 raw bytes echoed over loopback TCP in one process", plainTcp.Summary, "", ""));
        rows.Add(("3 nodes: start → elected and connected (mean, max of 5)", $"{formMean:0} ms, {formMax:0} ms", "", "≤ 1 s"));
        rows.Add(("one-field change in a 50-field slice: delta vs snapshot bytes", $"{delta} B vs {snapshot} B ({100.0 * delta / snapshot:0.0}%)", "", "≤ 10%"));
        rows.Add(("10 nodes converge after a one-field change (200 changes)", ToMilliseconds(convergence), "", "p99 ≤ 50 ms"));
        rows.Add(("primary stops (goodbye) → survivors agree", $"{failover:0} ms", "", "≤ lease + 1 s (4 s)"));

        Console.WriteLine();
        Console.WriteLine("| what | Truffle | nats-server + NATS.Net | goal |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (what, truffle, nats, goal) in rows)
        {
            Console.WriteLine($"| {what} | {truffle} | {nats} | {goal} |");
        }

        return 0;
    }

    /// <summary>
    /// Only one throughput, three times in one process: short enough to run under a profiler, and it shows the JIT
    /// warming up (<c>-- throughput [messages] [relayed] [wait|drop]</c>, the queue as for <see cref="RunAsync"/>).
    /// </summary>
    public static async Task<int> ThroughputOnlyAsync(string[] args)
    {
        int messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        bool relayed = args.Contains("relayed");
        OverflowPolicy? queue = QueueFrom(args.FirstOrDefault(a => a is "wait" or "drop"));
        for (int run = 0; run < 3; run++)
        {
            (double rate, long lost) = await ThroughputAsync(messages, relayed, queue);
            Console.WriteLine($"{(relayed ? "secondary → secondary, relayed" : "secondary → primary")}: {Rate(rate)}{Lost(lost, messages)}");
        }

        return 0;
    }

    /// <summary>
    /// Messages delivered per second, measured to the last delivery, and how many never arrived. <paramref name="queue"/>
    /// is the receiving subscription's policy with a queue of <see cref="QueueCapacity"/>; null for a queue that holds
    /// the whole run.
    /// </summary>
    private static async Task<(double Rate, long Lost)> ThroughputAsync(
        int count, bool relayed, OverflowPolicy? queue, TruffleRouting routing = TruffleRouting.Star)
    {
        await using var mesh = new LocalMesh();
        await mesh.StartAsync(relayed ? 3 : 2, routing);
        TruffleNode primary = await mesh.AgreedPrimaryAsync();
        TruffleNode sender = mesh.Nodes.First(n => n != primary);
        TruffleNode receiver = relayed ? mesh.Nodes.Single(n => n != primary && n != sender) : primary;
        byte[] payload = new byte[Size];
        long received = 0, lastReceipt = 0;
        using IDisposable subscription = receiver.Bus.Subscribe("bench", "blob", (_, _) =>
        {
            Interlocked.Increment(ref received);
            Volatile.Write(ref lastReceipt, Stopwatch.GetTimestamp());
            return ValueTask.CompletedTask;
        }, queue is { } policy ? new SubscriptionOptions { Capacity = QueueCapacity, Overflow = policy } : new SubscriptionOptions { Capacity = count + 1 });

        // Warm-up, then the measured run; a run ends when all arrived or nothing arrived for a second.
        foreach (int n in new[] { count / 10, count })
        {
            Interlocked.Exchange(ref received, 0);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
            {
                await sender.Bus.SendAsync(receiver.DeviceId, "bench", "blob", payload);
            }

            long seen = -1;
            while (Interlocked.Read(ref received) is var now && now < n && now != seen)
            {
                seen = now;
                await Task.Delay(1000);
            }

            if (n == count)
            {
                long delivered = Interlocked.Read(ref received);
                return (delivered / Stopwatch.GetElapsedTime(start, Volatile.Read(ref lastReceipt)).TotalSeconds, count - delivered);
            }
        }

        throw new UnreachableException();
    }

    private static async Task<Latencies> RequestReplyAsync()
    {
        await using var mesh = new LocalMesh();
        await mesh.StartAsync(2);
        TruffleNode primary = await mesh.AgreedPrimaryAsync();
        TruffleNode asker = mesh.Nodes.First(n => n != primary);
        using IDisposable handler = primary.Bus.Handle("bench", "echo", (request, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(request.Payload.ToArray()));
        byte[] payload = new byte[Size];
        var latencies = new Latencies(Requests);
        for (int i = 0; i < Requests + (Requests / 2); i++)
        {
            long start = Stopwatch.GetTimestamp();
            await asker.Bus.RequestAsync(primary.DeviceId, "bench", "echo", payload, TimeSpan.FromSeconds(10));
            if (i >= Requests / 2)
            {
                latencies.Add(Stopwatch.GetElapsedTime(start));
            }
        }

        return latencies;
    }

    private static async Task<(double Mean, double Max)> FormationAsync(int rounds)
    {
        var times = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            await using var mesh = new LocalMesh();
            var clock = Stopwatch.StartNew();
            await mesh.StartAsync(3);
            await mesh.AgreedPrimaryAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (times.Average(), times.Max());
    }

    private static async Task<double> GracefulFailoverAsync()
    {
        await using var mesh = new LocalMesh();
        await mesh.StartAsync(3);
        TruffleNode primary = await mesh.AgreedPrimaryAsync();
        var clock = Stopwatch.StartNew();
        await mesh.StopAsync(primary);
        await mesh.AgreedPrimaryAsync();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static string ToMilliseconds(Latencies latencies) =>
        $"p50 {latencies.Percentile(50) / 1000:0.0} ms, p99 {latencies.Percentile(99) / 1000:0.0} ms";

    private static string Lost(long lost, int sent) =>
        lost == 0 ? "" : $" ({lost.ToString("N0", CultureInfo.InvariantCulture)} of {sent.ToString("N0", CultureInfo.InvariantCulture)} lost)";

    private static OverflowPolicy? QueueFrom(string? argument) => argument switch
    {
        "wait" => OverflowPolicy.Wait,
        "drop" => OverflowPolicy.DropOldest,
        null => null,
        _ => throw new ArgumentException($"'{argument}' is not a queue policy: use wait or drop.", nameof(argument)),
    };

    private static string Rate(double perSecond) => $"{perSecond.ToString("N0", CultureInfo.InvariantCulture)} msg/s";
}
