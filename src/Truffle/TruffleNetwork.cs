namespace Truffle;

/// <summary>Which network the sidecar joins.</summary>
public enum TruffleNetwork
{
    /// <summary>The Tailscale network (the tsnet backend).</summary>
    Tailscale = 0,

    /// <summary>A local network on 127.x addresses shared through a registry directory (development and tests).</summary>
    Loopback = 1,
}
