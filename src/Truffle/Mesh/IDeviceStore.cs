namespace Truffle.Mesh;

/// <summary>
/// What a device keeps across restarts that the mesh reads and writes (SPEC §5): its id, this start's incarnation,
/// the highest term it has seen and the network node each device id it has met belongs to (SPEC §5a). <see cref="DeviceIdentity"/> keeps it in the state directory; the simulation
/// keeps it in memory across simulated restarts.
/// </summary>
internal interface IDeviceStore
{
    /// <summary>The device id, the same at every start.</summary>
    string DeviceId { get; }

    /// <summary>This start's boot counter, higher than every earlier start's.</summary>
    ulong Incarnation { get; }

    /// <summary>The highest election term persisted.</summary>
    ulong Term { get; }

    /// <summary>Persists <paramref name="term"/> if it is higher than the one stored; lower terms are ignored.</summary>
    void PersistTerm(ulong term);

    /// <summary>The device bindings persisted, least recently heard first (see <see cref="DeviceBindings"/>).</summary>
    IReadOnlyList<DeviceBinding> Bindings { get; }

    /// <summary>Persists <paramref name="bindings"/> (least recently heard first) in place of the ones stored.</summary>
    void PersistBindings(IReadOnlyList<DeviceBinding> bindings);
}
