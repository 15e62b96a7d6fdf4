using Truffle.Transport;

namespace Truffle.Mesh;

/// <summary>What the mesh needs from <see cref="TruffleOptions"/>, resolved.</summary>
internal sealed record MeshOptions
{
    public required string AppId { get; init; }

    public required string DeviceName { get; init; }

    public required string DeviceType { get; init; }

    public bool PreferPrimary { get; init; }

    public int Priority { get; init; }

    public TruffleRouting Routing { get; init; }

    public bool AllowMinorityPrimary { get; init; }

    /// <summary>Joins as an observer: never a candidate, never counted toward a quorum or a lease.</summary>
    public bool Observer { get; init; }

    /// <summary>How many device ids are remembered as bound to their network node (see <see cref="DeviceBindings"/>).</summary>
    public int MaxBoundDevices { get; init; } = DeviceBindings.DefaultCapacity;

    public ElectionTimings Election { get; init; } = new();

    public TransportOptions Transport { get; init; } = new();

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
