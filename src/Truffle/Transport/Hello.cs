namespace Truffle.Transport;

/// <summary>
/// The first message each side of a connection sends (SPEC §4): who it is and which app it belongs to. On the wire
/// it is a MessagePack map with camelCase keys and <c>kind = "hello"</c>; unknown keys are skipped.
/// </summary>
/// <param name="Version">The node-to-node protocol version (<see cref="CurrentVersion"/>).</param>
/// <param name="AppId">The app; a connection between two apps is closed with 4001.</param>
/// <param name="DeviceId">The sender's persisted device id.</param>
/// <param name="DeviceName">A human-readable name.</param>
/// <param name="DeviceType">The device type used in the hostname (desktop, phone, ...).</param>
/// <param name="Os">The operating system.</param>
/// <param name="TailscaleId">The sender's node id on the network; must match the WhoIs identity (else 4003).</param>
/// <param name="Incarnation">The sender's boot counter.</param>
/// <param name="PreferPrimary">Election rank: whether the device wants to be primary.</param>
/// <param name="Priority">Election rank: the app-set priority.</param>
/// <param name="Capabilities">Optional features the sender supports.</param>
/// <param name="Metadata">App-defined key/value pairs.</param>
internal sealed record Hello(
    int Version,
    string AppId,
    string DeviceId,
    string DeviceName,
    string DeviceType,
    string Os,
    string TailscaleId,
    ulong Incarnation,
    bool PreferPrimary,
    int Priority,
    IReadOnlyList<string> Capabilities,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>
    /// The protocol version this build speaks. Peers of another version refuse each other (4002): version 2 added the
    /// election's evidence (votes to every member, support queries), which version 1 neither sends nor reads, so a
    /// mixed mesh could never agree on a primary (docs/transport.md, "Protocol versions").
    /// </summary>
    public const int CurrentVersion = 2;

    /// <summary>The capability of an observer: a device that is never a candidate and never counts toward a quorum.</summary>
    public const string ObserverCapability = "observer";

    /// <summary>
    /// The fingerprint of each wire namespace the sender's build declares (docs/schema-evolution.md); empty from a
    /// build that sends none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Schemas { get; init; } = EmptySchemas;

    private static readonly IReadOnlyDictionary<string, string> EmptySchemas = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>True when the sender joins as an observer (<see cref="ObserverCapability"/>).</summary>
    public bool IsObserver => Capabilities.Contains(ObserverCapability);
}
