using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Truffle.Hosting.Tests.Support;

/// <summary>
/// A loopback network of its own (a fresh registry directory and a port of its own) with a state directory per
/// device, the real sidecar
/// that the build puts next to the tests, and a way to wait for a condition without sleeping: every event of every
/// watched node re-checks it.
/// </summary>
internal sealed class LoopbackNetwork : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("truffle-hosting-").FullName;
    private readonly List<TruffleNode> _peers = [];
    private readonly SemaphoreSlim _changed = new(0);

    public LoopbackNetwork()
    {
        SidecarPath = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "truffle-sidecar.exe" : "truffle-sidecar");
        if (!File.Exists(SidecarPath))
        {
            throw new InvalidOperationException($"No sidecar at {SidecarPath}: the build skips it when Go is not installed (apt-get install golang-go, then rebuild).");
        }
    }

    public const string AppId = "hostingtest";

    public string SidecarPath { get; }

    /// <summary>
    /// Every registry hands out 127.0.0.2, 127.0.0.3, ... from the start, so two networks on one port would collide:
    /// each gets a port that was free when it was made.
    /// </summary>
    public int Port { get; } = FreePort();

    public string RegistryDirectory => Path.Combine(_root, "registry");

    public string StateDirectory(string device) => Path.Combine(_root, "state-" + device);

    /// <summary>The "Truffle" section of an appsettings.json for a hosted device on this network.</summary>
    public JsonObject Settings(string device) => new()
    {
        [nameof(TruffleOptions.AppId)] = AppId,
        [nameof(TruffleOptions.DeviceName)] = device,
        [nameof(TruffleOptions.Network)] = "Loopback",
        [nameof(TruffleOptions.StateDirectory)] = StateDirectory(device),
        [nameof(TruffleOptions.LoopbackDirectory)] = RegistryDirectory,
        [nameof(TruffleOptions.SidecarPath)] = SidecarPath,
        [nameof(TruffleOptions.Port)] = Port,
    };

    /// <summary>Starts a plain node (no host) on this network; it is stopped with the network.</summary>
    public async Task<TruffleNode> StartPeerAsync(string device, Microsoft.Extensions.Logging.ILoggerFactory? logging = null)
    {
        TruffleNode node = await Wait.For(TruffleNode.StartAsync(new TruffleOptions
        {
            AppId = AppId,
            DeviceName = device,
            StateDirectory = StateDirectory(device),
            Network = TruffleNetwork.Loopback,
            LoopbackDirectory = RegistryDirectory,
            SidecarPath = SidecarPath,
            Port = Port,
            LoggerFactory = logging,
        }));
        _peers.Add(node);
        Watch(node);
        return node;
    }

    /// <summary>Re-checks waiting conditions whenever <paramref name="node"/> raises an event.</summary>
    public void Watch(TruffleNode node)
    {
        node.DeviceDiscovered += (_, _) => Poke();
        node.DeviceUpdated += (_, _) => Poke();
        node.DeviceOffline += (_, _) => Poke();
        node.RoleChanged += (_, _) => Poke();
        Poke();
    }

    /// <summary>Makes waiters re-check; hook it to any other event a test waits on.</summary>
    public void Poke() => _changed.Release();

    /// <summary>Re-checks <paramref name="condition"/> after every event until it holds.</summary>
    public async Task UntilAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Wait.Timeout);
        while (!condition())
        {
            try
            {
                await _changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (TruffleNode peer in _peers)
        {
            await peer.DisposeAsync();
        }

        _changed.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
