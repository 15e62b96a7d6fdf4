using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using NATS.Client.Core;

namespace Truffle.Benchmarks.Mesh;

/// <summary>
/// The same measurements against nats-server (Debian's package) with the official NATS.Net client: one publisher
/// connection and one subscriber connection through the broker on loopback.
/// </summary>
internal sealed class NatsBaseline : IAsyncDisposable
{
    private readonly Process _server;
    private readonly string _url;

    private NatsBaseline(Process server, string url)
    {
        _server = server;
        _url = url;
    }

    public static async Task<NatsBaseline?> StartAsync()
    {
        int port = FreePort();
        Process? server;
        try
        {
            server = Process.Start(new ProcessStartInfo("nats-server", $"-a 127.0.0.1 -p {port}")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed: the harness says so
        }

        if (server is null)
        {
            return null;
        }

        server.BeginErrorReadLine();
        server.BeginOutputReadLine();
        var baseline = new NatsBaseline(server, $"nats://127.0.0.1:{port}");
        await using var probe = baseline.Connect();
        await probe.ConnectAsync();
        return baseline;
    }

    public async Task<double> ThroughputAsync(int count, int size)
    {
        await using NatsConnection publisher = Connect();
        await using NatsConnection subscriber = Connect();
        byte[] payload = new byte[size];
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using INatsSub<byte[]> subscription = await subscriber.SubscribeCoreAsync<byte[]>("bench.blob");
        await subscriber.PingAsync();
        var consumer = Task.Run(async () =>
        {
            int n = 0;
            await foreach (NatsMsg<byte[]> _ in subscription.Msgs.ReadAllAsync())
            {
                if (++n == count)
                {
                    received.TrySetResult();
                    return;
                }
            }
        });

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            await publisher.PublishAsync("bench.blob", payload);
        }

        await received.Task.WaitAsync(TimeSpan.FromMinutes(2));
        double rate = count / clock.Elapsed.TotalSeconds;
        await consumer;
        return rate;
    }

    public async Task<Latencies> RequestReplyAsync(int count, int size)
    {
        await using NatsConnection requester = Connect();
        await using NatsConnection responder = Connect();
        byte[] payload = new byte[size];
        await using INatsSub<byte[]> requests = await responder.SubscribeCoreAsync<byte[]>("bench.echo");
        await responder.PingAsync();
        var answering = Task.Run(async () =>
        {
            await foreach (NatsMsg<byte[]> request in requests.Msgs.ReadAllAsync())
            {
                await request.ReplyAsync(request.Data);
            }
        });

        var latencies = new Latencies(count);
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await requester.RequestAsync<byte[], byte[]>("bench.echo", payload);
            latencies.Add(Stopwatch.GetElapsedTime(start));
        }

        await requests.UnsubscribeAsync();
        await answering;
        return latencies;
    }

    public async ValueTask DisposeAsync()
    {
        _server.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
    }

    private NatsConnection Connect() => new(new NatsOpts
    {
        Url = _url,
        SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
        SubPendingChannelCapacity = 65536,
    });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
