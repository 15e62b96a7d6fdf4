using Xunit;

namespace Truffle.Cli.Tests;

/// <summary>
/// Two real devices (members), each with its own sidecar process, on a loopback network of their own; the tool is
/// pointed at it with <c>--app</c> and <c>--loopback-dir</c>.
/// </summary>
#pragma warning disable CA1001 // xunit disposes a fixture through IAsyncLifetime, which releases the semaphore
public sealed class Mesh : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly string _root = Directory.CreateTempSubdirectory("truffle-cli-tests-").FullName;
    private readonly SemaphoreSlim _changed = new(0);

    public string App { get; } = "clitest";

    public string Registry => System.IO.Path.Combine(_root, "registry");

    public TruffleNode First { get; private set; } = null!;

    public TruffleNode Second { get; private set; } = null!;

    public TruffleNode[] Nodes => [First, Second];

    /// <summary>The options that point the tool at this mesh, then <paramref name="arguments"/>.</summary>
    public string[] Args(params string[] arguments) => [.. arguments, "--app", App, "--loopback-dir", Registry, "--timeout", "10"];

    public async Task InitializeAsync()
    {
        First = await StartAsync("first");
        Second = await StartAsync("second");
        await UntilAsync(() => Nodes.All(n => n.PrimaryId is not null && n.PrimaryId == First.PrimaryId && n.Devices.Any(d => d.IsOnline)));
    }

    /// <summary>Re-checks <paramref name="condition"/> after every mesh event until it holds.</summary>
    public async Task UntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Tool.Patience);
        while (!condition())
        {
            await _changed.WaitAsync(deadline.Token);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (TruffleNode? node in new[] { First, Second })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        _changed.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<TruffleNode> StartAsync(string name)
    {
        TruffleNode node = await TruffleNode.StartAsync(new TruffleOptions
        {
            AppId = App,
            DeviceName = name,
            StateDirectory = System.IO.Path.Combine(_root, name),
            Network = TruffleNetwork.Loopback,
            LoopbackDirectory = Registry,
            SidecarPath = System.IO.Path.Combine(AppContext.BaseDirectory, "truffle-sidecar"),
        });
        node.RoleChanged += (_, _) => _changed.Release();
        node.DeviceDiscovered += (_, _) => _changed.Release();
        node.DeviceUpdated += (_, _) => _changed.Release();
        node.DeviceOffline += (_, _) => _changed.Release();
        return node;
    }
}

[CollectionDefinition(Name)]
public sealed class RealMesh : ICollectionFixture<Mesh>
{
    public const string Name = "Loopback mesh";
}
