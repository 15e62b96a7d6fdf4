namespace Truffle.Mesh;

/// <summary>
/// What a device keeps across restarts that the mesh reads and writes (SPEC §5): its id, this start's incarnation
/// and the highest term it has seen. <see cref="DeviceIdentity"/> keeps it in the state directory; the simulation
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
}
