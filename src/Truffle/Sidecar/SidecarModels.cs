namespace Truffle.Sidecar;

/// <summary>Which network the sidecar joins.</summary>
internal enum SidecarBackend
{
    /// <summary>The real Tailscale network (tsnet).</summary>
    Tailscale,

    /// <summary>A local stand-in network: every node gets its own 127.x address and registers in a shared directory.</summary>
    Loopback,
}

/// <summary>What <see cref="SidecarClient.StartAsync"/> needs to join the network.</summary>
internal sealed record SidecarStartOptions
{
    /// <summary>The node's hostname on the network.</summary>
    public required string Hostname { get; init; }

    /// <summary>Where the sidecar keeps its state (keys, node identity).</summary>
    public required string StateDirectory { get; init; }

    /// <summary>A Tailscale auth key; without one an interactive login may be required (<see cref="SidecarClient.AuthRequired"/>).</summary>
    public string? AuthKey { get; init; }

    /// <summary>Whether the node is removed from the network when it goes offline.</summary>
    public bool Ephemeral { get; init; }

    /// <summary>ACL tags to advertise.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Idle bridged connections are closed after this long; null for the sidecar's default (600 s).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Which network to join.</summary>
    public SidecarBackend Backend { get; init; } = SidecarBackend.Tailscale;

    /// <summary>The shared registry directory of a loopback network; required with <see cref="SidecarBackend.Loopback"/>.</summary>
    public string? LoopbackDirectory { get; init; }

    /// <summary>
    /// The ports the node will listen on, with <see cref="SidecarBackend.Loopback"/>: the sidecar claims an address on
    /// which all of them are free and holds them until the listen, so loopback networks with different registry
    /// directories share one machine without colliding.
    /// </summary>
    public IReadOnlyList<int>? LoopbackPorts { get; init; }

    /// <summary>How long to wait for the node to be running.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>The node's state as the sidecar reports it.</summary>
/// <param name="State">"starting", "running", ...</param>
/// <param name="Hostname">The node's hostname.</param>
/// <param name="DnsName">The node's DNS name on the network (empty until running).</param>
/// <param name="TailscaleIp">The node's address on the network (empty until running).</param>
/// <param name="NodeId">The node's stable id (only in the started reply).</param>
/// <param name="ProtocolVersion">The sidecar's protocol version.</param>
internal sealed record SidecarStatus(string State, string Hostname, string DnsName, string TailscaleIp, string NodeId, int ProtocolVersion);

/// <summary>A peer on the network.</summary>
/// <param name="Id">The peer's stable node id.</param>
/// <param name="Hostname">The peer's hostname.</param>
/// <param name="DnsName">The peer's DNS name, the target for <see cref="SidecarClient.DialAsync"/>.</param>
/// <param name="Addresses">The peer's network addresses.</param>
/// <param name="Online">Whether the peer is online.</param>
/// <param name="OS">The peer's operating system, as reported.</param>
internal sealed record SidecarPeer(string Id, string Hostname, string DnsName, IReadOnlyList<string> Addresses, bool Online, string OS);

/// <summary>Who is on the other end of a connection.</summary>
/// <param name="DnsName">The remote node's DNS name.</param>
/// <param name="LoginName">The owning user's login, if known.</param>
/// <param name="DisplayName">The owning user's display name, if known.</param>
/// <param name="NodeId">The remote node's id, if known.</param>
internal sealed record SidecarIdentity(string DnsName, string? LoginName, string? DisplayName, string? NodeId);

/// <summary>How a peer changed.</summary>
/// <param name="ChangeType">"joined", "left" or "updated".</param>
/// <param name="PeerId">The peer's id.</param>
/// <param name="Peer">The peer's new state; null when it left.</param>
internal sealed record SidecarPeerChange(string ChangeType, string PeerId, SidecarPeer? Peer);

/// <summary>An unexpected exit of the sidecar process, as reported by <see cref="SidecarClient.Exited"/>.</summary>
/// <param name="ExitCode">The process's exit code (137 after SIGKILL on Unix); -1 when it is not known.</param>
/// <param name="WillRestart">Whether the client will start the sidecar again (false after <see cref="SidecarClient.StopAsync"/>).</param>
internal sealed record SidecarExit(int ExitCode, bool WillRestart);
