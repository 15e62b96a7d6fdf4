using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>
/// One device's place in the mesh (SPEC §5): it finds the app's other devices on the network, keeps one connection
/// to each, runs the election, and carries application envelopes, relayed through the primary (STAR) or point to
/// point (by its <see cref="Router"/>). The layers above use it as an <see cref="IMeshEndpoint"/>.
/// </summary>
/// <remarks>
/// Everything it touches of the outside comes in through its constructor (the network, the persisted device state,
/// the clock and the randomness), so the deterministic simulation runs this class itself.
/// </remarks>
internal sealed partial class MeshNode : IMeshEndpoint, IConnectionHandler, IElectionOutput, IAsyncDisposable
{
    /// <summary>The namespace of mesh control envelopes.</summary>
    public const string ControlNamespace = "mesh";

    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(5);

    private readonly IPeerNetwork _network;
    private readonly MeshOptions _options;
    private readonly IDeviceStore _identity;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Election _election;
    private readonly Router _router;
    private readonly Discovery _discovery;
    private readonly Hello _hello;
    private readonly ConcurrentDictionary<string, IPeerConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TruffleDevice> _devices = new(StringComparer.Ordinal);

    // Which node each device id belongs to; _connections only ever holds a connection whose hello is bound.
    private readonly DeviceBindings _bindings;

    // Makes "is it still bound?" and "enter it in _connections" one step against a replacement (see Attach, Depart).
    private readonly Lock _attachGate = new();
    private IAsyncDisposable? _listener;
    private ITimer? _pingTimer;
    private ElectionState _lastState;
    private int _disposed;

    /// <param name="network">The network: peers and handshaken connections.</param>
    /// <param name="options">The app, this device's hello fields, routing, election and transport settings.</param>
    /// <param name="identity">The device id, incarnation and persisted term.</param>
    /// <param name="loggerFactory">Where the mesh logs.</param>
    /// <param name="timeProvider">Every timer: election, reconnects, pings.</param>
    /// <param name="random">Every jitter (election, reconnects); thread-safe unless the caller runs everything on one thread.</param>
    public MeshNode(
        IPeerNetwork network, MeshOptions options, IDeviceStore identity, ILoggerFactory loggerFactory, TimeProvider timeProvider, Random random)
    {
        _network = network;
        _options = options;
        _identity = identity;
        _logger = loggerFactory.CreateLogger<MeshNode>();
        _metrics = options.Transport.Metrics;
        _time = timeProvider;
        _hello = new Hello(
            Hello.CurrentVersion, options.AppId, identity.DeviceId, options.DeviceName, options.DeviceType,
            RuntimeInformation.OSDescription, network.Local.NodeId, identity.Incarnation, options.PreferPrimary, options.Priority,
            Capabilities: options.Observer ? [Hello.ObserverCapability] : [], options.Metadata)
        {
            Schemas = WireSchemas.Fingerprints,
        };
        _bindings = new DeviceBindings(
            identity, new DeviceBinding(identity.DeviceId, network.Local.NodeId), _connections.ContainsKey, options.MaxBoundDevices);
        var self = new ElectionMember(identity.DeviceId, options.PreferPrimary, options.Priority);
        _election = new Election(
            self, identity.Term, options.Election, options.AllowMinorityPrimary, timeProvider, random, this, loggerFactory.CreateLogger<Election>(),
            options.Observer, _metrics);
        _router = new Router(identity.DeviceId, options.Routing, _election, lastSequence: identity.Incarnation << 40, _logger, _metrics);
        _discovery = new Discovery(network, options.AppId, _hello, Admit, options.Transport, timeProvider, random, _logger, Attach, OnPeerGone);
    }

    /// <summary>This device's id.</summary>
    public string DeviceId => _identity.DeviceId;

    /// <summary>The wire namespace fingerprints this device's hello carries.</summary>
    public IReadOnlyDictionary<string, string> Schemas => _hello.Schemas;

    /// <summary>This device's hostname on the network.</summary>
    public string Hostname => _network.Local.Hostname;

    /// <summary>How many of the app's devices the network lists online now (see <see cref="TruffleNode.ListedPeerCount"/>).</summary>
    public int ListedPeerCount => _discovery.ListedCount;

    /// <summary>The longest payload an envelope may carry (the transport's limit).</summary>
    public int MaxPayloadBytes => _options.Transport.MaxEnvelopeBytes;

    /// <summary>This node's role, primary and term.</summary>
    public ElectionState State => _election.State;

    /// <summary>What this node sent, received and relayed, per device.</summary>
    public MeshTraffic Traffic => _router.Traffic;

    /// <summary>The election's membership, this device included (see <see cref="Election.MembershipSize"/>).</summary>
    public int MembershipSize => _election.MembershipSize;

    /// <summary>
    /// The devices this node has heard a hello from, online or not, each with its role as <see cref="State"/> has it
    /// now (the table's copy can lag a state change by a moment).
    /// </summary>
    public IReadOnlyCollection<TruffleDevice> Devices
    {
        get
        {
            ElectionState state = State;
            return [.. _devices.Values.Select(device => WithRole(device, RoleOf(device.Id, state)))];
        }
    }

    /// <summary>A device said hello for the first time.</summary>
    public event EventHandler<TruffleDevice>? DeviceDiscovered;

    /// <summary>A known device reconnected, restarted or changed role.</summary>
    public event EventHandler<TruffleDevice>? DeviceUpdated;

    /// <inheritdoc/>
    public event EventHandler<TruffleDevice>? DeviceConnected;

    /// <inheritdoc/>
    public event EventHandler<TruffleDevice>? DeviceOffline;

    /// <inheritdoc/>
    public event EventHandler<string>? DeviceLeft;

    /// <summary>This node's role or the primary changed.</summary>
    public event EventHandler<MeshRoleChange>? RoleChanged;

    /// <summary>
    /// The network stopped listing a node (or lists it offline), and the mesh has acted on it: whatever device it
    /// presented has left. The argument is the node id. Tests wait on it to know a departure was handled.
    /// </summary>
    public event EventHandler<string>? NodeGone;

    /// <inheritdoc/>
    public void SetReceiver(string? messageNamespace, IMeshReceiver receiver) => _router.SetReceiver(messageNamespace, receiver);

    /// <inheritdoc/>
    public ValueTask SendAsync(
        string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, Correlation correlation,
        CancellationToken cancellationToken) =>
        _router.SendAsync(to, messageNamespace, messageType, payload, correlation, cancellationToken);

    /// <inheritdoc/>
    public ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        _router.BroadcastAsync(messageNamespace, messageType, payload, cancellationToken);

    /// <inheritdoc/>
    public bool Post(string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload) =>
        _router.Post(to, messageNamespace, messageType, payload);

    /// <summary>Listens for peers, discovers the app's devices, connects and starts the election.</summary>
    /// <exception cref="SidecarException">The network could not listen or list peers.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = await _network.ListenAsync(_hello, Admit, Attach, cancellationToken).ConfigureAwait(false);
        _network.Restarted += OnNetworkRestarted;
        bool peersExpected = await _discovery.StartAsync(cancellationToken).ConfigureAwait(false);
        MeshLog.Started(_logger, DeviceId, Hostname, _identity.Incarnation, peersExpected);
        _election.Start(peersExpected);
        _pingTimer = _time.CreateTimer(static state => ((MeshNode)state!).PingAll(), this, PingInterval, PingInterval);
    }

    /// <summary>
    /// Leaves the mesh: says goodbye to every device, gives up the primary role, closes every connection and stops
    /// listening. The network is left to its owner.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _network.Restarted -= OnNetworkRestarted;
        foreach (IPeerConnection connection in _connections.Values)
        {
            connection.SendOverBound(Control(ControlTypes.Goodbye, to: connection.Remote.DeviceId, ReadOnlyMemory<byte>.Empty));
        }

        _election.Resign();

        // Close first, so the goodbye and the close code 4004 reach every device (they drop us from the view at
        // once); only then stop the dialers, which would abort their connections.
        await Task.WhenAll(_connections.Values.Select(c => c.CloseAsync(CloseCodes.Goodbye, "goodbye").AsTask())).ConfigureAwait(false);
        await _discovery.DisposeAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        foreach (IPeerConnection connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        if (_pingTimer is not null)
        {
            await _pingTimer.DisposeAsync().ConfigureAwait(false);
        }

        _election.Dispose();
    }

    /// <summary>A restarted network node lost every connection; the dialers reconnect, listening resumed.</summary>
    private void OnNetworkRestarted(object? sender, EventArgs e) => MeshLog.NetworkRestarted(_logger);

    private static TruffleDevice WithRole(TruffleDevice device, MeshRole role) => device.Role == role ? device : device with { Role = role };

    private Envelope Control(string type, string to, ReadOnlyMemory<byte> payload) =>
        new(EnvelopeKind.Control, ControlNamespace, type, DeviceId, to, _router.NextSequence(), _election.State.Term, 0, EnvelopeFlags.None, payload);

    /// <summary>The control envelope types of the <c>mesh</c> namespace.</summary>
    private static class ControlTypes
    {
        public const string Election = "election";
        public const string Goodbye = "goodbye";
        public const string Ping = "ping";
        public const string Pong = "pong";
    }
}
