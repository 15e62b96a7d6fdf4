using Truffle.Tests.Mesh;
using Truffle.Tests.Sidecar;
using Xunit;

namespace Truffle.Tests.Messaging;

/// <summary>Where a bus test runs: the same <see cref="MessageBus"/> over an in-process hub, or over a real mesh.</summary>
public enum Endpoint
{
    /// <summary>An <see cref="InProcessNetwork"/> of its own.</summary>
    InProcess,

    /// <summary>Three real nodes, each with its own sidecar process, on a loopback network (shared by the bus tests).</summary>
    Mesh,
}

/// <summary>Three devices' buses for one test.</summary>
/// <param name="A">The first device's bus.</param>
/// <param name="B">The second device's bus.</param>
/// <param name="C">The third device's bus.</param>
/// <param name="Owned">What the test must dispose (an in-process network's buses); empty for the shared mesh.</param>
internal sealed record Devices(IMessageBus A, IMessageBus B, IMessageBus C, IReadOnlyList<MessageBus> Owned) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (MessageBus bus in Owned)
        {
            await bus.DisposeAsync();
        }
    }
}

/// <summary>
/// The real mesh the bus tests share: three nodes started once for the whole collection. Each test uses a namespace of
/// its own and disposes what it registers, so tests do not see each other's messages.
/// </summary>
#pragma warning disable CA1001 // xunit disposes a fixture through IAsyncLifetime.DisposeAsync, which disposes the mesh
public sealed class SharedMesh : IAsyncLifetime
#pragma warning restore CA1001
{
    private LoopbackMesh? _mesh;

    public async Task InitializeAsync()
    {
        _mesh = new LoopbackMesh(new SidecarBinary());
        foreach (string name in new[] { "a", "b", "c" })
        {
            await _mesh.StartAsync(name);
        }

        await _mesh.OnePrimaryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }
    }

    /// <summary>Three devices on <paramref name="endpoint"/>; an in-process network runs on <paramref name="time"/>.</summary>
    internal Devices Open(Endpoint endpoint, TimeProvider? time = null)
    {
        if (endpoint == Endpoint.Mesh)
        {
            IReadOnlyList<TruffleNode> nodes = _mesh!.Nodes;
            return new Devices(nodes[0].Bus, nodes[1].Bus, nodes[2].Bus, []);
        }

        var network = new InProcessNetwork(time);
        MessageBus a = network.Connect("a"), b = network.Connect("b"), c = network.Connect("c");
        return new Devices(a, b, c, [a, b, c]);
    }
}

/// <summary>The bus tests: run one after another, sharing one real mesh.</summary>
[CollectionDefinition(Name)]
public sealed class BusEndpoints : ICollectionFixture<SharedMesh>
{
    public const string Name = "Bus endpoints";
}
