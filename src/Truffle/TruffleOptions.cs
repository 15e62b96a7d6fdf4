using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Truffle;

/// <summary>How a <see cref="TruffleNode"/> joins the mesh (SPEC §11). Only <see cref="AppId"/> is required.</summary>
/// <remarks>
/// The properties are settable so that the options pattern of .NET works on them
/// (<c>services.AddTruffle(options =&gt; options.AppId = "notes")</c> in Truffle.Hosting). <see cref="TruffleNode.StartAsync"/>
/// reads them once: changing the object afterwards does not change a running node.
/// </remarks>
public sealed record TruffleOptions
{
    /// <summary>
    /// The app: only devices with the same app id see each other. Lowercase letters, digits and '-', starting with a
    /// letter, at most 40 characters; it starts every device's hostname.
    /// </summary>
    public required string AppId { get; set; }

    /// <summary>A human-readable name for this device; the machine name by default.</summary>
    public string DeviceName { get; set; } = Environment.MachineName;

    /// <summary>The kind of device (desktop, phone, server, ...), part of the hostname; a lowercase label.</summary>
    public string DeviceType { get; set; } = "desktop";

    /// <summary>
    /// Where the device keeps its id, boot counter, election term and the sidecar's network state. Default:
    /// <c>{LocalApplicationData}/truffle/{AppId}</c>. A running node locks it (<c>device.lock</c>), so a second node
    /// on the same directory fails to start with a <see cref="TruffleException"/>: two nodes at once need two directories.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>A Tailscale auth key for unattended login; never logged. Without one, <see cref="OnAuthRequired"/> gets the login URL.</summary>
    public string? AuthKey { get; set; }

    /// <summary>
    /// Called with the URL to open when an interactive login is needed (from <see cref="TruffleNode.StartAsync"/>, and
    /// again with each new URL the control server issues later).
    /// </summary>
    public Action<string>? OnAuthRequired { get; set; }

    /// <summary>Called when an administrator must approve this device before it can join.</summary>
    public Action? OnNeedsApproval { get; set; }

    /// <summary>Ranks this device first in elections (before <see cref="Priority"/>).</summary>
    public bool PreferPrimary { get; set; }

    /// <summary>Ranks this device in elections: higher wins among devices with the same <see cref="PreferPrimary"/>.</summary>
    public int Priority { get; set; }

    /// <summary>The network to join: Tailscale, or the local loopback network for development and tests.</summary>
    public TruffleNetwork Network { get; set; } = TruffleNetwork.Tailscale;

    /// <summary>
    /// The registry directory the devices of a loopback network share; default <c>{temp}/truffle-loopback</c>.
    /// Only with <see cref="TruffleNetwork.Loopback"/>.
    /// </summary>
    public string? LoopbackDirectory { get; set; }

    /// <summary>
    /// The sidecar binary. When null, the <c>TRUFFLE_SIDECAR</c> environment variable, then <c>truffle-sidecar</c> next
    /// to the app, then the one the Truffle.Sidecar package put under <c>runtimes/{rid}/native/</c> in the app's folder
    /// (see <see cref="Sidecar.SidecarLocator"/>); a path given here or in the variable is used, with no fallback when
    /// it is missing. It may name the published upstream Truffle sidecar (protocol 5), which has Tailscale only.
    /// </summary>
    public string? SidecarPath { get; set; }

    /// <summary>How messages between two secondaries travel; through the primary by default.</summary>
    public TruffleRouting Routing { get; set; } = TruffleRouting.Star;

    /// <summary>
    /// Lets a minority partition of a mesh of three or more elect a primary (two primaries, in different terms, until
    /// the partition heals). Off by default: a minority has no primary.
    /// </summary>
    public bool AllowMinorityPrimary { get; set; }

    /// <summary>
    /// Joins as an observer: the device sees, sends, requests and reads slices like any other, but is never a
    /// candidate and never counts toward a quorum or a lease, so its arrival, departure or crash never changes the
    /// primary or the term. Tools (the <c>truffle</c> CLI) join this way; an observer alone has no primary.
    /// </summary>
    public bool Observer { get; set; }

    /// <summary>Election timing overrides; SPEC defaults (heartbeat 1 s, lease 3 s) when not set.</summary>
    public ElectionTimings Election { get; set; } = new();

    /// <summary>The tailnet port nodes listen on and dial.</summary>
    public int Port { get; set; } = 9417;

    /// <summary>Key/value pairs published to the other devices in this device's hello.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// Keeps this device's own slices in the state directory (written atomically at every change), so a restarted
    /// device comes back with its data and republishes it. Off by default: a restarted device starts with no slices.
    /// </summary>
    public bool PersistSlices { get; set; }

    /// <summary>Sync protocol settings (digest interval, tombstone lifetime, coalescing window, limits).</summary>
    public SyncOptions Sync { get; set; } = new();

    /// <summary>How long <see cref="TruffleNode.StartAsync"/> waits for the network (including an interactive login).</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Where the node logs; nothing is logged when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Where the node's <c>Truffle</c> meter comes from (docs/observability.md): the meter this factory creates, so a
    /// host observes its own nodes (Truffle.Hosting passes the container's); the process-wide <c>Truffle</c> meter
    /// when null.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>The clock of timers (election, reconnects, request timeouts); the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Connection limits and deadlines (SPEC §4), the spec's when null; <see cref="Port"/> and <see cref="TimeProvider"/>
    /// still win. Internal: the spec's values are the contract, and tests shorten the deadlines to stay fast.
    /// </summary>
    internal Transport.TransportOptions? Transport { get; set; }
}
