using Truffle.Mesh;
using Truffle.Tests.Simulation;
using Xunit;

namespace Truffle.Tests.Mesh;

public sealed class DeviceBindingsTests : IDisposable
{
    private static readonly DeviceBinding Self = new("self-device", "self-node");

    private readonly string _directory = Directory.CreateTempSubdirectory("truffle-bindings-").FullName;
    private readonly HashSet<string> _connected = new(StringComparer.Ordinal);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_device_id_is_bound_on_first_sight_and_refused_from_another_node()
    {
        DeviceBindings bindings = New(new SimDeviceStore(Self.DeviceId));

        Assert.Null(bindings.TryBind("alpha", "node-a", out string? replaced));
        BindingRefusal? refusal = bindings.TryBind("alpha", "node-rogue", out _);

        Assert.Null(replaced);
        Assert.Equal("bound_elsewhere", refusal?.Tag);
        Assert.True(bindings.IsBound("alpha", "node-a"));
        Assert.False(bindings.IsBound("alpha", "node-rogue"));
        Assert.Null(bindings.TryBind("alpha", "node-a", out _)); // the owner again: still its
    }

    [Fact]
    public void This_devices_own_id_is_refused_from_any_other_node_and_its_node_presents_no_other_id()
    {
        DeviceBindings bindings = New(new SimDeviceStore(Self.DeviceId));

        Assert.Equal("self", bindings.TryBind(Self.DeviceId, "node-rogue", out _)?.Tag);
        Assert.Equal("self", bindings.TryBind("other", Self.NodeId, out _)?.Tag);
        Assert.Null(bindings.TryBind(Self.DeviceId, Self.NodeId, out _)); // a connection to itself, closed by the mesh
        Assert.Equal(0, bindings.Count);
    }

    [Fact]
    public void A_node_saying_hello_as_a_new_id_replaces_its_old_device()
    {
        DeviceBindings bindings = New(new SimDeviceStore(Self.DeviceId));
        bindings.TryBind("first", "node-a", out _);

        Assert.Null(bindings.TryBind("second", "node-a", out string? replaced));
        Assert.Null(bindings.TryBind("third", "node-a", out string? replacedAgain));

        Assert.Equal("first", replaced);
        Assert.Equal("second", replacedAgain);
        Assert.Equal("third", bindings.DeviceOf("node-a"));
        Assert.False(bindings.IsBound("first", "node-a"));
        Assert.Equal(1, bindings.Count); // a node cycling through ids holds one binding
    }

    [Fact]
    public void Bindings_survive_a_restart_of_the_device()
    {
        using (DeviceIdentity identity = DeviceIdentity.Start(_directory))
        {
            DeviceBindings bindings = New(identity);
            bindings.TryBind("alpha", "node-a", out _);
            bindings.TryBind("beta", "node-b", out _);
            bindings.TryBind("beta-reinstalled", "node-b", out _);
        }

        using DeviceIdentity restarted = DeviceIdentity.Start(_directory);
        DeviceBindings after = New(restarted);

        Assert.Equal(2, after.Count);
        Assert.Equal("bound_elsewhere", after.TryBind("alpha", "node-rogue", out _)?.Tag);
        Assert.Equal("beta-reinstalled", after.DeviceOf("node-b"));
        Assert.False(after.IsBound("beta", "node-b"));
    }

    [Fact]
    public void When_full_the_least_recently_heard_device_that_is_not_connected_is_forgotten()
    {
        var store = new SimDeviceStore(Self.DeviceId);
        DeviceBindings bindings = New(store, capacity: 3);
        bindings.TryBind("oldest", "node-1", out _);
        bindings.TryBind("connected", "node-2", out _);
        bindings.TryBind("newest", "node-3", out _);
        _connected.Add("oldest");
        bindings.TryBind("connected", "node-2", out _); // heard again: now the most recent

        Assert.Null(bindings.TryBind("newcomer", "node-4", out string? replaced));

        Assert.Null(replaced);
        Assert.Equal(3, bindings.Count);
        Assert.True(bindings.IsBound("oldest", "node-1")); // least recent, but connected
        Assert.Null(bindings.DeviceOf("node-3")); // "newest" was the least recent one not connected
        Assert.Equal(["oldest", "connected", "newcomer"], store.Bindings.Select(b => b.DeviceId)); // least recent first
    }

    [Fact]
    public void When_full_of_connected_devices_a_new_id_is_refused()
    {
        DeviceBindings bindings = New(new SimDeviceStore(Self.DeviceId), capacity: 2);
        bindings.TryBind("a", "node-1", out _);
        bindings.TryBind("b", "node-2", out _);
        _connected.UnionWith(["a", "b"]);

        Assert.Equal("full", bindings.TryBind("c", "node-3", out _)?.Tag);
        Assert.Null(bindings.TryBind("a2", "node-1", out string? replaced)); // a bound node may still move to a new id

        Assert.Equal("a", replaced);
    }

    [Fact]
    public void Persisted_bindings_beyond_the_capacity_keep_the_most_recent()
    {
        var store = new SimDeviceStore(Self.DeviceId);
        store.PersistBindings([new("a", "node-1"), new("b", "node-2"), new("c", "node-3"), new("c", "node-4"), new(Self.DeviceId, "node-5")]);

        DeviceBindings bindings = New(store, capacity: 2);

        Assert.Equal(2, bindings.Count);
        Assert.Null(bindings.DeviceOf("node-1"));
        Assert.Equal("b", bindings.DeviceOf("node-2"));
        Assert.Equal("c", bindings.DeviceOf("node-4")); // a later line wins
        Assert.Null(bindings.DeviceOf("node-3"));
        Assert.Null(bindings.DeviceOf("node-5")); // this device's own id is never another node's
    }

    private DeviceBindings New(IDeviceStore store, int capacity = DeviceBindings.DefaultCapacity) =>
        new(store, store.DeviceId == Self.DeviceId ? Self : Self with { DeviceId = store.DeviceId }, _connected.Contains, capacity);
}
