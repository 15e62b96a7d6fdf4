namespace Truffle;

/// <summary>A device's role in the mesh.</summary>
public enum MeshRole
{
    /// <summary>No primary is known (starting, electing, or in a minority partition).</summary>
    None = 0,

    /// <summary>This device is the primary: it relays traffic between secondaries and sends heartbeats.</summary>
    Primary = 1,

    /// <summary>Another device is the primary.</summary>
    Secondary = 2,
}
