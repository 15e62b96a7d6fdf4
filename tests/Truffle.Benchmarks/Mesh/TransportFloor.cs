using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Truffle.Sidecar;

namespace Truffle.Benchmarks.Mesh;

/// <summary>
/// What a round trip costs below Truffle's own code: about the bytes of a 128-byte request in its envelope and frame (256), echoed over a
/// stream bridged through two sidecars (the path every node-to-node byte takes), and over plain loopback TCP inside
/// one process. The difference between the request/reply row and the first is what the mesh stack adds.
/// </summary>
internal static class TransportFloor
{
    private const int Bytes = 256;
    private const int Warmup = 5_000;
    private const int Measured = 10_000;

    public static async Task<Latencies> ThroughSidecarsAsync()
    {
        string root = Directory.CreateTempSubdirectory("truffle-floor-").FullName;
        try
        {
            await using var listening = new SidecarClient();
            await using var dialing = new SidecarClient();
            SidecarStatus target = await listening.StartAsync(Options(root, "floor-a"));
            await dialing.StartAsync(Options(root, "floor-b"));
            int port = await listening.ListenAsync(0);
            await using BridgeConnection outgoing = await dialing.DialAsync(target.DnsName, port);
            await using BridgeConnection incoming = await listening.AcceptAsync();
            return await EchoAsync(outgoing.Stream, incoming.Stream);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    public static async Task<Latencies> PlainTcpAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using TcpClient server = await listener.AcceptTcpClientAsync();
        server.NoDelay = true;
        return await EchoAsync(client.GetStream(), server.GetStream());
    }

    private static async Task<Latencies> EchoAsync(Stream near, Stream far)
    {
        using var stop = new CancellationTokenSource();
        Task echo = Task.Run(async () =>
        {
            byte[] buffer = new byte[Bytes];
            while (!stop.IsCancellationRequested)
            {
                await far.ReadExactlyAsync(buffer, stop.Token);
                await far.WriteAsync(buffer, stop.Token);
            }
        });

        byte[] message = new byte[Bytes], back = new byte[Bytes];
        var latencies = new Latencies(Measured);
        for (int i = 0; i < Warmup + Measured; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await near.WriteAsync(message);
            await near.ReadExactlyAsync(back);
            if (i >= Warmup)
            {
                latencies.Add(Stopwatch.GetElapsedTime(start));
            }
        }

        await stop.CancelAsync();
        await near.WriteAsync(message); // lets the echo loop see the cancellation
        await echo.ContinueWith(_ => { }, TaskScheduler.Default);
        return latencies;
    }

    private static SidecarStartOptions Options(string root, string hostname) => new()
    {
        Hostname = hostname,
        StateDirectory = Directory.CreateDirectory(Path.Combine(root, hostname)).FullName,
        Backend = SidecarBackend.Loopback,
        LoopbackDirectory = Directory.CreateDirectory(Path.Combine(root, "registry")).FullName,
    };
}
