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
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>The mesh's role and primary changed.</summary>
/// <param name="Role">This node's new role.</param>
/// <param name="PrimaryId">The primary's device id; null when there is none.</param>
/// <param name="Term">The election term the change belongs to.</param>
public sealed record MeshRoleChange(MeshRole Role, string? PrimaryId, ulong Term);

/// <summary>How application messages between two secondaries travel.</summary>
public enum TruffleRouting
{
    /// <summary>Through the primary (STAR): every device sees broadcasts in one order.</summary>
    Star = 0,

    /// <summary>Point to point, without a relay; broadcasts have no common order.</summary>
    Direct = 1,
}

/// <summary>Which network the sidecar joins.</summary>
public enum TruffleNetwork
{
    /// <summary>The Tailscale network (the tsnet backend).</summary>
    Tailscale = 0,

    /// <summary>A local network on 127.x addresses shared through a registry directory (development and tests).</summary>
    Loopback = 1,
}
