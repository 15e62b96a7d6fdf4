namespace Truffle;

/// <summary>A device of the same app, as this node knows it.</summary>
/// <param name="Id">The device's persisted id; the address to send to.</param>
/// <param name="Name">Its human-readable name.</param>
/// <param name="Type">Its device type (desktop, phone, ...).</param>
/// <param name="Os">Its operating system.</param>
/// <param name="Role">Its role as this node sees it.</param>
/// <param name="IsOnline">Whether this node has a connection to it now.</param>
/// <param name="Incarnation">Its boot counter; higher after every restart.</param>
/// <param name="Metadata">The key/value pairs its app published in its hello.</param>
public sealed record TruffleDevice(
    string Id,
    string Name,
    string Type,
    string Os,
    MeshRole Role,
    bool IsOnline,
    ulong Incarnation,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Whether it takes part in elections (a member) or only watches and talks (an observer, such as the <c>truffle</c> tool).</summary>
    public DeviceKind Kind { get; init; } = DeviceKind.Member;

    /// <summary>
    /// The fingerprint of each wire namespace its build declares, from its hello: equal to this device's
    /// (<c>TruffleNode.Schemas</c>) when both builds see the same messages of that namespace on the wire. Empty for a
    /// device whose build sends none. See docs/schema-evolution.md.
    /// </summary>
    public IReadOnlyDictionary<string, string> Schemas { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
