namespace Truffle.Mesh;

/// <summary>
/// Which network node each device id belongs to (SPEC §5a). The network authenticates nodes, not devices: a hello's
/// device id is only a claim until it is bound to the node the network vouched for. An id is bound on first sight
/// and stays bound (persisted through <see cref="IDeviceStore"/>), so another node that claims it later is refused.
/// A node presents one device id at a time: a new id from a bound node moves the node to it and unbinds the old id,
/// as a reinstall does (the caller treats the old device as departed).
/// </summary>
/// <remarks>
/// At most <see cref="Capacity"/> bindings are kept (besides this device's own): a node that cycles through ids
/// replaces its own binding each time, so only distinct nodes fill the table. When it is full, the binding heard
/// from least recently whose device is not connected is forgotten (that id can then be bound anew); when every
/// binding is of a connected device, a new id is refused. Thread-safe: handshakes run concurrently.
/// </remarks>
internal sealed class DeviceBindings
{
    /// <summary>The default <see cref="Capacity"/>: far above any mesh the star topology serves.</summary>
    public const int DefaultCapacity = 1024;

    private readonly IDeviceStore _store;
    private readonly DeviceBinding _self;
    private readonly Func<string, bool> _connected;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _byDevice = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byNode = new(StringComparer.Ordinal);
    private long _clock;

    /// <param name="store">Where bindings persist; those it holds are loaded, oldest first.</param>
    /// <param name="self">This device and its own node: never stored, never forgotten.</param>
    /// <param name="connected">Whether a device has a connection now (such a binding is never forgotten for room).</param>
    /// <param name="capacity">The most bindings kept besides this device's own.</param>
    public DeviceBindings(IDeviceStore store, DeviceBinding self, Func<string, bool> connected, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _store = store;
        _self = self;
        _connected = connected;
        Capacity = capacity;
        foreach (DeviceBinding binding in store.Bindings)
        {
            // A later line wins, as it would have when it was bound: each node and each id appear once in the table.
            if (binding.DeviceId != self.DeviceId && binding.NodeId != self.NodeId)
            {
                Remove(binding.DeviceId);
                if (_byNode.TryGetValue(binding.NodeId, out string? earlier))
                {
                    Remove(earlier);
                }

                Add(binding);
            }
        }

        while (_byDevice.Count > capacity)
        {
            Remove(Oldest(_ => true)!.Value.DeviceId);
        }
    }

    /// <summary>The most bindings kept besides this device's own.</summary>
    public int Capacity { get; }

    /// <summary>How many bindings are kept besides this device's own.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byDevice.Count;
            }
        }
    }

    /// <summary>
    /// Binds <paramref name="deviceId"/> to <paramref name="nodeId"/> unless another node holds it. On success,
    /// <paramref name="replaced"/> is the id the node presented before (now unbound: that device is gone), if any.
    /// </summary>
    /// <returns>Null when bound; otherwise why the claim is refused.</returns>
    public BindingRefusal? TryBind(string deviceId, string nodeId, out string? replaced)
    {
        replaced = null;
        if (deviceId == _self.DeviceId || nodeId == _self.NodeId)
        {
            // Our own id from our own node is a connection to itself, which the mesh closes; anything else is a claim.
            return deviceId == _self.DeviceId && nodeId == _self.NodeId
                ? null
                : new BindingRefusal("self", $"device {Short(deviceId)} is not node {Short(nodeId)}'s");
        }

        lock (_gate)
        {
            if (_byDevice.TryGetValue(deviceId, out Entry? entry))
            {
                if (entry.NodeId != nodeId)
                {
                    return new BindingRefusal("bound_elsewhere", $"device {Short(deviceId)} is bound to another node");
                }

                entry.LastSeen = ++_clock;
                return null;
            }

            _byNode.TryGetValue(nodeId, out replaced);
            if (replaced is not null)
            {
                Remove(replaced);
            }
            else if (_byDevice.Count >= Capacity)
            {
                if (Oldest(id => !_connected(id)) is not { } evicted)
                {
                    return new BindingRefusal("full", $"no room for a new device ({Capacity} bound, all connected)");
                }

                Remove(evicted.DeviceId);
            }

            Add(new DeviceBinding(deviceId, nodeId));

            // Under the lock, so the last write is the last state; a new binding is rare (a new device or node).
            _store.PersistBindings(Snapshot());
        }

        return null;
    }

    /// <summary>Whether <paramref name="deviceId"/> is bound to <paramref name="nodeId"/> now.</summary>
    public bool IsBound(string deviceId, string nodeId)
    {
        if (deviceId == _self.DeviceId)
        {
            return nodeId == _self.NodeId;
        }

        lock (_gate)
        {
            return _byDevice.TryGetValue(deviceId, out Entry? entry) && entry.NodeId == nodeId;
        }
    }

    /// <summary>The device id <paramref name="nodeId"/> presents now, if it is bound.</summary>
    public string? DeviceOf(string nodeId)
    {
        lock (_gate)
        {
            return _byNode.GetValueOrDefault(nodeId);
        }
    }

    // Ids are 32 hex digits for honest devices, anything up to 128 characters for a rogue: logs get a prefix.
    private static string Short(string id) => id.Length <= 12 ? id : id[..12];

    private void Add(DeviceBinding binding)
    {
        _byDevice[binding.DeviceId] = new Entry(binding.NodeId) { LastSeen = ++_clock };
        _byNode[binding.NodeId] = binding.DeviceId;
    }

    private void Remove(string deviceId)
    {
        if (_byDevice.Remove(deviceId, out Entry? entry))
        {
            _byNode.Remove(entry.NodeId);
        }
    }

    private DeviceBinding? Oldest(Func<string, bool> eligible)
    {
        DeviceBinding? oldest = null;
        long seen = long.MaxValue;
        foreach ((string deviceId, Entry entry) in _byDevice)
        {
            if (entry.LastSeen < seen && eligible(deviceId))
            {
                oldest = new DeviceBinding(deviceId, entry.NodeId);
                seen = entry.LastSeen;
            }
        }

        return oldest;
    }

    // Least recently heard first, so a restart forgets in the same order.
    private DeviceBinding[] Snapshot() =>
        [.. _byDevice.OrderBy(pair => pair.Value.LastSeen).Select(pair => new DeviceBinding(pair.Key, pair.Value.NodeId))];

    private sealed class Entry(string nodeId)
    {
        public string NodeId { get; } = nodeId;

        public long LastSeen { get; set; }
    }
}
