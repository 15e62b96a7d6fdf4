using Truffle.Mesh;

namespace Truffle.Tests.Simulation;

/// <summary>A device's persisted state, kept in memory across simulated restarts as a state directory keeps it on disk.</summary>
internal sealed class SimDeviceStore(string deviceId) : IDeviceStore
{
    public string DeviceId { get; } = deviceId;

    public ulong Incarnation { get; private set; }

    public ulong Term { get; private set; }

    public IReadOnlyList<DeviceBinding> Bindings { get; private set; } = [];

    public void PersistTerm(ulong term) => Term = Math.Max(Term, term);

    public void PersistBindings(IReadOnlyList<DeviceBinding> bindings) => Bindings = [.. bindings];

    /// <summary>A new process starts: the boot counter moves on.</summary>
    public void NewIncarnation() => Incarnation++;
}
