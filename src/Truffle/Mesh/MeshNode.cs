using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Truffle.Sidecar;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>
/// One device's place in the mesh (SPEC §5): it finds the app's other devices through the sidecar, keeps one
/// connection to each, runs the election, and carries application envelopes, relayed through the primary (STAR)
/// or point to point (by its <see cref="Router"/>). Layers above send through it and receive through an
/// <see cref="IMeshReceiver"/>.
/// </summary>
internal sealed partial class MeshNode : IConnectionHandler, IElectionOutput, IAsyncDisposable
{
    /// <summary>The namespace of mesh control envelopes.</summary>
    public const string ControlNamespace = "mesh";

    private readonly SidecarClient _sidecar;
    private readonly MeshOptions _options;
    private readonly DeviceIdentity _identity;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Election _election;
    private readonly Hello _hello;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, PeerConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TruffleDevice> _devices = new(StringComparer.Ordinal);
    private readonly Router _router;
    private int _disposed;

    public MeshNode(SidecarClient sidecar, SidecarStatus status, MeshOptions options, DeviceIdentity identity, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        _sidecar = sidecar;
        _options = options;
        _identity = identity;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<MeshNode>();
        _time = timeProvider;
        Hostname = status.Hostname;

        _hello = new Hello(
            Hello.CurrentVersion, options.AppId, identity.DeviceId, options.DeviceName, options.DeviceType,
            RuntimeInformation.OSDescription, status.NodeId, identity.Incarnation, options.PreferPrimary, options.Priority,
            Capabilities: [], options.Metadata);
        var self = new ElectionMember(identity.DeviceId, options.PreferPrimary, options.Priority);
        _election = new Election(self, identity.Term, options.Election, options.AllowMinorityPrimary, timeProvider, Random.Shared, this, loggerFactory.CreateLogger<Election>());
        _router = new Router(identity.DeviceId, options.Routing, _election, lastSequence: identity.Incarnation << 40, _logger);
    }

    /// <summary>This device's id.</summary>
    public string DeviceId => _identity.DeviceId;

    /// <summary>This device's hostname on the network.</summary>
    public string Hostname { get; }

    /// <summary>The longest payload an envelope may carry (the transport's limit).</summary>
    public int MaxPayloadBytes => _options.Transport.MaxEnvelopeBytes;

    /// <summary>This node's role, primary and term.</summary>
    public ElectionState State => _election.State;

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

    /// <summary>A handshake with a device completed (first contact, reconnect or restart).</summary>
    public event EventHandler<TruffleDevice>? DeviceConnected;

    /// <summary>A device's connection closed, or it said goodbye.</summary>
    public event EventHandler<TruffleDevice>? DeviceOffline;

    /// <summary>
    /// A device is gone, not merely disconnected: it said goodbye, or the network stopped listing it. May be raised
    /// more than once for one departure.
    /// </summary>
    public event EventHandler<string>? DeviceLeft;

    /// <summary>This node's role or the primary changed.</summary>
    public event EventHandler<MeshRoleChange>? RoleChanged;

    /// <summary>Receives application envelopes of every namespace without a receiver of its own.</summary>
    public void SetDefaultReceiver(IMeshReceiver receiver) => _router.SetDefaultReceiver(receiver);

    /// <summary>Receives application envelopes of one (reserved) namespace, such as <c>sync</c>.</summary>
    public void SetReceiver(string messageNamespace, IMeshReceiver receiver) => _router.SetReceiver(messageNamespace, receiver);

    /// <inheritdoc cref="Router.SendAsync"/>
    public ValueTask SendAsync(
        string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, EnvelopeFlags flags, ulong correlationId,
        CancellationToken cancellationToken) =>
        _router.SendAsync(to, messageNamespace, messageType, payload, flags, correlationId, cancellationToken);

    /// <inheritdoc cref="Router.BroadcastAsync"/>
    public ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        _router.BroadcastAsync(messageNamespace, messageType, payload, cancellationToken);

    /// <inheritdoc cref="Router.Post"/>
    public bool Post(string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload) =>
        _router.Post(to, messageNamespace, messageType, payload);

    /// <summary>Listens for peers, discovers the app's devices, connects and starts the election.</summary>
    /// <exception cref="SidecarException">The sidecar could not listen or list peers.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _sidecar.ListenAsync(_options.Transport.Port, cancellationToken).ConfigureAwait(false);
        _sidecar.PeerChanged += OnPeerChanged;
        _sidecar.Restarted += OnSidecarRestarted;
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
        await _sidecar.WatchPeersAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<SidecarPeer> peers = await _sidecar.GetPeersAsync(cancellationToken).ConfigureAwait(false);
        bool peersExpected = false;
        foreach (SidecarPeer peer in peers)
        {
            peersExpected |= OnPeerSeen(peer);
        }

        MeshLog.Started(_logger, DeviceId, Hostname, _identity.Incarnation, peersExpected);
        _election.Start(peersExpected);
        StartPinging();
    }

    /// <summary>
    /// Leaves the mesh: says goodbye to every device, gives up the primary role, closes every connection and stops
    /// listening. The sidecar is left to its owner.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sidecar.PeerChanged -= OnPeerChanged;
        _sidecar.Restarted -= OnSidecarRestarted;
        foreach (PeerConnection connection in _connections.Values)
        {
            connection.SendControl(Control(ControlTypes.Goodbye, to: connection.Remote.DeviceId, ReadOnlyMemory<byte>.Empty));
        }

        _election.Resign();

        // Close first, so the goodbye and the close code 4004 reach every device (they drop us from the view at
        // once); only then stop the dialers, which would abort their connections.
        await Task.WhenAll(_connections.Values.Select(c => c.CloseAsync(CloseCodes.Goodbye, "goodbye").AsTask())).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await StopDialingAsync().ConfigureAwait(false);
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (PeerConnection connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        if (_pingTimer is not null)
        {
            await _pingTimer.DisposeAsync().ConfigureAwait(false);
        }

        _election.Dispose();
        _stopping.Dispose();
    }

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
