namespace Truffle.Mesh;

/// <summary>A device id and the network node it belongs to (see <see cref="DeviceBindings"/>).</summary>
/// <param name="DeviceId">The device id the node said hello as.</param>
/// <param name="NodeId">The network's id of the node (what WhoIs reports for its connections).</param>
internal readonly record struct DeviceBinding(string DeviceId, string NodeId);
