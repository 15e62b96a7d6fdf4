using System.Diagnostics.Metrics;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>The mesh's instruments on a node's <c>Truffle</c> meter (<see cref="TruffleMetrics"/>).</summary>
internal sealed class MeshMetrics(Meter meter)
{
    /// <summary>Application envelopes this node sent (direct, routed or fanned out).</summary>
    public Counter<long> Sent { get; } =
        meter.CreateCounter<long>("truffle.mesh.sent", "{envelope}", "Application envelopes sent.");

    /// <summary>Application envelopes handed to a layer above.</summary>
    public Counter<long> Received { get; } =
        meter.CreateCounter<long>("truffle.mesh.received", "{envelope}", "Application envelopes received.");

    /// <summary>Envelopes the primary forwarded for another device.</summary>
    public Counter<long> Relayed { get; } =
        meter.CreateCounter<long>("truffle.mesh.relayed", "{envelope}", "Envelopes relayed by the primary.");

    /// <summary>Envelopes dropped by routing (tag <c>reason</c>: duplicate, unreachable, not_primary, no_receiver, closed, replaced).</summary>
    public Counter<long> Dropped { get; } =
        meter.CreateCounter<long>("truffle.mesh.dropped", "{envelope}", "Envelopes dropped by routing.");

    /// <summary>Envelopes refused for a wrong sender or an unknown control type (tag <c>reason</c>).</summary>
    public Counter<long> Rejected { get; } =
        meter.CreateCounter<long>("truffle.mesh.rejected", "{envelope}", "Envelopes refused by the mesh's checks.");

    /// <summary>
    /// Hellos refused because the device id they claim belongs to another network node, or the node belongs to this
    /// device (tag <c>reason</c>: bound_elsewhere, self, full, replaced).
    /// </summary>
    public Counter<long> IdentityRefused { get; } =
        meter.CreateCounter<long>("truffle.mesh.identity_refused", "{hello}", "Hellos refused for claiming another node's device id.");

    /// <summary>Devices dropped because their network node said hello as another id (a reinstall, or a node cycling ids).</summary>
    public Counter<long> DevicesReplaced { get; } =
        meter.CreateCounter<long>("truffle.mesh.devices_replaced", "{device}", "Devices replaced by a new id from the same network node.");

    /// <summary>This node's election role changed (tag <c>role</c>: the new role).</summary>
    public Counter<long> RoleChanges { get; } =
        meter.CreateCounter<long>("truffle.mesh.role_changes", "{change}", "Changes of this node's election role.");

    /// <summary>This node's election term changed (it claimed or adopted a newer term).</summary>
    public Counter<long> TermChanges { get; } =
        meter.CreateCounter<long>("truffle.mesh.term_changes", "{change}", "Changes of this node's election term.");

    /// <summary>Round-trip time of a mesh ping to each connected device, in milliseconds (tag <c>peer</c>).</summary>
    public Histogram<double> RoundTrip { get; } =
        meter.CreateHistogram<double>("truffle.mesh.rtt", "ms", "Round-trip time of mesh pings per peer.");
}
