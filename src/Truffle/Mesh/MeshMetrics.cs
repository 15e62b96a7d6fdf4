using System.Diagnostics.Metrics;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>The mesh's instruments on the one <c>Truffle</c> meter.</summary>
internal static class MeshMetrics
{
    /// <summary>Application envelopes this node sent (direct, routed or fanned out).</summary>
    public static readonly Counter<long> Sent =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.mesh.sent", "{envelope}", "Application envelopes sent.");

    /// <summary>Application envelopes handed to a layer above.</summary>
    public static readonly Counter<long> Received =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.mesh.received", "{envelope}", "Application envelopes received.");

    /// <summary>Envelopes the primary forwarded for another device.</summary>
    public static readonly Counter<long> Relayed =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.mesh.relayed", "{envelope}", "Envelopes relayed by the primary.");

    /// <summary>Envelopes dropped by routing (tag <c>reason</c>: duplicate, unreachable, not_primary, no_receiver, closed).</summary>
    public static readonly Counter<long> Dropped =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.mesh.dropped", "{envelope}", "Envelopes dropped by routing.");

    /// <summary>Envelopes refused for a wrong sender or an unknown control type (tag <c>reason</c>).</summary>
    public static readonly Counter<long> Rejected =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.mesh.rejected", "{envelope}", "Envelopes refused by the mesh's checks.");

    /// <summary>This node's election role changed (tag <c>role</c>: the new role).</summary>
    public static readonly Counter<long> RoleChanges =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.mesh.role_changes", "{change}", "Changes of this node's election role.");

    /// <summary>This node's election term changed (it claimed or adopted a newer term).</summary>
    public static readonly Counter<long> TermChanges =
        TruffleMetrics.Meter.CreateCounter<long>("truffle.mesh.term_changes", "{change}", "Changes of this node's election term.");

    /// <summary>Round-trip time of a mesh ping to each connected device, in milliseconds (tag <c>peer</c>).</summary>
    public static readonly Histogram<double> RoundTrip =
        TruffleMetrics.Meter.CreateHistogram<double>("truffle.mesh.rtt", "ms", "Round-trip time of mesh pings per peer.");
}
