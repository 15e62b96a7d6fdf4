using Truffle.Fuzz.Targets;

namespace Truffle.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
public static class FuzzTargets
{
    /// <summary>The targets in the order scripts/fuzz.sh runs them.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new EnvelopeTarget(),
        new HelloTarget(),
        new ElectionTarget(),
        new SyncMessageTarget(),
        new SliceDeltaTarget(),
        new PersistedSliceTarget(),
        new UpgradeRequestTarget(),
        new BridgeHeaderTarget(),
        new FormatterTarget(),
    ];

    /// <summary>The target called <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
