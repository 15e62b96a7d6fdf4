namespace Truffle.Transport;

/// <summary>A node of the network: its hostname and its node id (stable, what WhoIs reports).</summary>
/// <param name="Hostname">The hostname it registered.</param>
/// <param name="NodeId">The network's id of the node.</param>
internal sealed record NetworkNode(string Hostname, string NodeId);
