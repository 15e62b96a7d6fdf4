namespace Truffle.Transport;

/// <summary>
/// The layer above's verdict on a peer's hello, asked once the transport's own checks (version, app, network identity)
/// have passed: null admits the peer, a reason refuses it with <see cref="CloseCodes.IdentityMismatch"/> (4003). The
/// mesh binds device ids to network nodes here (<c>Mesh/DeviceBindings</c>), so a refused peer never becomes a
/// connection. Called on a handshake task, possibly several at once; must not block.
/// </summary>
/// <param name="remote">The peer's hello; its <see cref="Hello.TailscaleId"/> is the node the network vouched for.</param>
internal delegate string? HelloAdmission(Hello remote);
