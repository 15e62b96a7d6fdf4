using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Mesh;
using Truffle.Messaging;
using Truffle.Sidecar;
using Truffle.Sync;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle;

/// <summary>
/// A device in the mesh: the sidecar that joins the network, the connections to the app's other devices, the
/// election, and the message bus on top. Start one with <see cref="StartAsync"/> and end it with
/// <c>await using</c>, which says goodbye to the other devices and leaves no process or socket behind.
/// </summary>
/// <example>
/// <code>
/// await using var node = await TruffleNode.StartAsync(new TruffleOptions { AppId = "notes", DeviceName = "laptop" });
/// node.Bus.Chat.On&lt;ChatMessage&gt;((msg, ctx) =&gt; Console.WriteLine($"{ctx.From}: {msg.Text}"));
/// await node.Bus.Chat.Broadcast(new ChatMessage("ana", "hi"));
/// </code>
/// </example>
public sealed class TruffleNode : IAsyncDisposable
{
    private readonly DeviceIdentity _identity;
    private readonly SidecarClient _sidecar;
    private readonly MeshNode _mesh;
    private readonly MessageBus _bus;
    private readonly SyncEngine _sync;
    private int _disposed;

    private TruffleNode(DeviceIdentity identity, SidecarClient sidecar, MeshNode mesh, MessageBus bus, SyncEngine sync)
    {
        _identity = identity;
        _sidecar = sidecar;
        _mesh = mesh;
        _bus = bus;
        _sync = sync;
        mesh.DeviceDiscovered += (_, device) => DeviceDiscovered?.Invoke(this, device);
        mesh.DeviceUpdated += (_, device) => DeviceUpdated?.Invoke(this, device);
        mesh.DeviceOffline += (_, device) => DeviceOffline?.Invoke(this, device);
        mesh.RoleChanged += (_, change) => RoleChanged?.Invoke(this, change);
        mesh.NodeGone += (_, nodeId) => NodeGone?.Invoke(this, nodeId);
    }

    /// <summary>The message bus; the generated typed API hangs off it (<c>node.Bus.Chat.Send(...)</c>).</summary>
    public IMessageBus Bus => _bus;

    /// <summary>The synced stores: <c>node.Sync.Store&lt;Presence&gt;()</c> gives this device's slice and every other device's.</summary>
    public SyncEngine Sync => _sync;

    /// <summary>This device's persisted id.</summary>
    public string DeviceId => _mesh.DeviceId;

    /// <summary>This device's hostname on the network (<c>{appId}-{deviceType}-{shortId}</c>).</summary>
    public string Hostname => _mesh.Hostname;

    /// <summary>The other devices this node has met, online or not.</summary>
    public IReadOnlyCollection<TruffleDevice> Devices => _mesh.Devices;

    /// <summary>
    /// How many of the app's other devices the network lists online now, connected or not. Once <see cref="Devices"/>
    /// holds that many online devices, this node has met everyone the network knows of: what a tool waits for before
    /// it lists the mesh.
    /// </summary>
    public int ListedPeerCount => _mesh.ListedPeerCount;

    /// <summary>
    /// The fingerprint of each wire namespace this build declares, as its hello sends them; compare with
    /// <see cref="TruffleDevice.Schemas"/> to see which devices run another version of a namespace's messages.
    /// </summary>
    public IReadOnlyDictionary<string, string> Schemas => _mesh.Schemas;

    /// <summary>This device's role.</summary>
    public MeshRole Role => _mesh.State.Role;

    /// <summary>The primary's device id; null while there is none.</summary>
    public string? PrimaryId => _mesh.State.PrimaryId;

    /// <summary>The current election term.</summary>
    public ulong Term => _mesh.State.Term;

    /// <summary>
    /// The application envelopes this node sent, received and relayed, in total and per other device (what
    /// <c>truffle dev</c> shows per device).
    /// </summary>
    public MeshTraffic Traffic => _mesh.Traffic;

    /// <summary>The election's membership, this device included (for tests and diagnostics).</summary>
    internal int MembershipSize => _mesh.MembershipSize;

    /// <summary>A device of this app said hello for the first time. Raised on a network thread; keep handlers short.</summary>
    public event EventHandler<TruffleDevice>? DeviceDiscovered;

    /// <summary>A known device reconnected, restarted or changed role.</summary>
    public event EventHandler<TruffleDevice>? DeviceUpdated;

    /// <summary>A device's connection closed or it said goodbye.</summary>
    public event EventHandler<TruffleDevice>? DeviceOffline;

    /// <summary>This node's role or the primary changed, with the term.</summary>
    public event EventHandler<MeshRoleChange>? RoleChanged;

    /// <summary>The network stopped listing a node (or lists it offline), and the mesh has acted on it; the argument is its node id.</summary>
    internal event EventHandler<string>? NodeGone;

    /// <summary>
    /// Starts the sidecar, joins the network, finds the app's other devices and connects to them. Returns once the
    /// node is on the network; the election finishes shortly after (watch <see cref="RoleChanged"/>).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// An option is invalid: the app id or device type is not a hostname label, the device name is longer than 256
    /// characters, or the metadata has more than 32 entries, a key over 64 characters or a value over 1,024.
    /// </exception>
    /// <exception cref="SidecarException">The sidecar is missing, failed to start, or the network refused the node.</exception>
    /// <exception cref="TruffleException">
    /// Another running node uses the same state directory, or it holds a damaged device identity.
    /// </exception>
    public static async Task<TruffleNode> StartAsync(TruffleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Hostnames.ValidateLabel(options.AppId, nameof(options.AppId));
        Hostnames.ValidateLabel(options.DeviceType, nameof(options.DeviceType));
        ValidateHelloFields(options);
        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        TimeProvider time = options.TimeProvider ?? TimeProvider.System;
        TruffleMetrics metrics = TruffleMetrics.For(options.MeterFactory);
        string stateDirectory = options.StateDirectory
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "truffle", options.AppId);
        DeviceIdentity identity = DeviceIdentity.Start(stateDirectory);
        string hostname = Hostnames.For(options.AppId, options.DeviceType, identity.DeviceId);

        SidecarClient? sidecar = null;
        MeshNode? mesh = null;
        MessageBus? bus = null;
        SyncEngine? sync = null;
        try
        {
            sidecar = new SidecarClient(options.SidecarPath, loggerFactory, time, metrics);
            if (options.OnAuthRequired is { } onAuth)
            {
                sidecar.AuthRequired += (_, url) => onAuth(url);
            }

            if (options.OnNeedsApproval is { } onApproval)
            {
                sidecar.NeedsApproval += (_, _) => onApproval();
            }

            SidecarStatus status = await sidecar.StartAsync(
                new SidecarStartOptions
                {
                    Hostname = hostname,
                    StateDirectory = Directory.CreateDirectory(Path.Combine(stateDirectory, "sidecar")).FullName,
                    AuthKey = options.AuthKey,
                    Backend = options.Network == TruffleNetwork.Loopback ? SidecarBackend.Loopback : SidecarBackend.Tailscale,
                    LoopbackDirectory = options.Network == TruffleNetwork.Loopback
                        ? options.LoopbackDirectory ?? Path.Combine(Path.GetTempPath(), "truffle-loopback")
                        : null,
                    LoopbackPorts = [options.Port],
                    StartTimeout = options.StartTimeout,
                },
                cancellationToken).ConfigureAwait(false);

            var transport = (options.Transport ?? new TransportOptions()) with { Port = options.Port, Time = time, Metrics = metrics };
            var meshOptions = new MeshOptions
            {
                AppId = options.AppId,
                DeviceName = options.DeviceName,
                DeviceType = options.DeviceType,
                PreferPrimary = options.PreferPrimary,
                Priority = options.Priority,
                Routing = options.Routing,
                AllowMinorityPrimary = options.AllowMinorityPrimary,
                Observer = options.Observer,
                Election = options.Election,
                Transport = transport,
                Metadata = options.Metadata,
            };
            var network = new SidecarPeerNetwork(sidecar, status, transport, loggerFactory);
            mesh = new MeshNode(network, meshOptions, identity, loggerFactory, time, Random.Shared);
            bus = new MessageBus(mesh, time, loggerFactory, metrics: metrics);
            var adapter = new StoreSyncAdapter(mesh);
            SyncOptions syncOptions = options.Sync with { MaxSliceBytes = Math.Min(options.Sync.MaxSliceBytes, adapter.MaxSliceBytes) };
            if (options.PersistSlices)
            {
                syncOptions = syncOptions with { StateDirectory = Directory.CreateDirectory(Path.Combine(stateDirectory, "sync")).FullName };
            }

            sync = new SyncEngine(identity.DeviceId, identity.Incarnation, adapter, time, syncOptions, loggerFactory.CreateLogger<SyncEngine>(), metrics);
            adapter.Attach(sync);
            var node = new TruffleNode(identity, sidecar, mesh, bus, sync);
            await mesh.StartAsync(cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await StopAsync(identity, sidecar, mesh, bus, sync).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Says goodbye (sync and mesh), gives up the primary role, closes every connection, stops the bus and the sidecar.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await StopAsync(_identity, _sidecar, _mesh, _bus, _sync).ConfigureAwait(false);
        }
    }

    /// <summary>The hello carries these; a peer refuses a hello beyond <see cref="HelloLimits"/>, so refuse it here first.</summary>
    private static void ValidateHelloFields(TruffleOptions options)
    {
        if (options.DeviceName.Length > HelloLimits.MaxTextLength)
        {
            throw new ArgumentException($"The device name is longer than {HelloLimits.MaxTextLength} characters.", nameof(options));
        }

        if (HelloLimits.CheckMetadata(options.Metadata) is { } problem)
        {
            throw new ArgumentException(
                $"The metadata is too large ({problem}): at most {HelloLimits.MaxEntries} entries, keys of {HelloLimits.MaxKeyLength} characters and values of {HelloLimits.MaxValueLength}.",
                nameof(options));
        }
    }

    private static async ValueTask StopAsync(DeviceIdentity identity, SidecarClient? sidecar, MeshNode? mesh, MessageBus? bus, SyncEngine? sync)
    {
        if (sync is not null)
        {
            await sync.StopAsync().ConfigureAwait(false); // its goodbye leaves before the mesh's
        }

        if (mesh is not null)
        {
            await mesh.DisposeAsync().ConfigureAwait(false);
        }

        if (bus is not null)
        {
            await bus.DisposeAsync().ConfigureAwait(false);
        }

        if (sidecar is not null)
        {
            await sidecar.DisposeAsync().ConfigureAwait(false);
        }

        identity.Dispose(); // last: the state directory is free once nothing of this node runs
    }
}
