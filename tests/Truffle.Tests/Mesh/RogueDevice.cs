using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Mesh;
using Truffle.Sidecar;
using Truffle.Tests.Support;
using Truffle.Tests.Transport;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Tests.Mesh;

/// <summary>
/// A malicious member of an app's loopback mesh: a real sidecar of its own (so the network vouches for its node, as a
/// tailnet vouches for any device that runs the app) under the app's hostname prefix (so the real devices find and
/// dial it), and raw Truffle wire on top: it says hello as whatever device id it likes and sends any envelope.
/// </summary>
internal sealed class RogueDevice : IAsyncDisposable
{
    private static readonly TransportOptions Options = new();

    private readonly SidecarClient _sidecar;
    private readonly string _appId;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<PeerConnection> _connections = [];
    private readonly List<Task> _handshakes = [];
    private readonly Task _acceptLoop;
    private readonly HashSet<string> _dialledBy = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _dialled = new(0);
    private readonly Dictionary<string, RogueLink> _acceptedFrom = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource? _deafUntilLeaving;
    private string _presenting;
    private int _refusedIncoming;

    private RogueDevice(SidecarClient sidecar, SidecarStatus status, string appId, string deviceId, bool reads)
    {
        _deafUntilLeaving = reads ? null : Test.NewSignal();
        _sidecar = sidecar;
        _appId = appId;
        _presenting = deviceId;
        NodeId = status.NodeId;
        Hostname = status.Hostname;
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    /// <summary>The rogue's network node: what every WhoIs of its connections reports.</summary>
    public string NodeId { get; }

    /// <summary>Its hostname, with the app's prefix.</summary>
    public string Hostname { get; }

    /// <summary>How many connections the real devices dialled to it were refused by their own side (4003).</summary>
    public int RefusedIncoming => Volatile.Read(ref _refusedIncoming);

    /// <summary>
    /// Waits until each of <paramref name="nodes"/> has dialled the rogue and finished a handshake with it (accepted or
    /// refused): proof that each has listed the rogue's node, so each will also see it leave.
    /// </summary>
    public async Task DialledByAllAsync(IEnumerable<TruffleNode> nodes)
    {
        IReadOnlyList<SidecarPeer> peers = await _sidecar.GetPeersAsync().WaitAsync(Test.Timeout);
        string[] expected = [.. nodes.Select(n => peers.Single(p => p.Hostname == n.Hostname).Id)];
        using var deadline = new CancellationTokenSource(Test.Timeout);
        while (true)
        {
            lock (_dialledBy)
            {
                if (_dialledBy.IsSupersetOf(expected))
                {
                    return;
                }
            }

            try
            {
                await _dialled.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not dialled by every node: {string.Join(", ", expected)}");
            }
        }
    }

    /// <summary>
    /// Joins the loopback network of <paramref name="registryDirectory"/> and accepts connections, saying hello as
    /// <paramref name="presenting"/> (a fresh id if null). Unless it <paramref name="reads"/>, it never reads what arrives
    /// on the connections the real devices dial (it still sends on them): a silent member, a slow consumer for them.
    /// </summary>
    public static async Task<RogueDevice> StartAsync(
        string sidecarPath, string registryDirectory, string stateDirectory, string appId, string? presenting, bool reads = true)
    {
        string deviceId = presenting ?? NewDeviceId();
        var sidecar = new SidecarClient(sidecarPath, NullLoggerFactory.Instance, TimeProvider.System);
        try
        {
            SidecarStatus status = await sidecar.StartAsync(new SidecarStartOptions
            {
                Hostname = $"{appId}-rogue-{NewDeviceId()[..8]}",
                StateDirectory = Directory.CreateDirectory(stateDirectory).FullName,
                Backend = SidecarBackend.Loopback,
                LoopbackDirectory = registryDirectory,
                LoopbackPorts = [Options.Port],
            }).WaitAsync(Test.Timeout);
            await sidecar.ListenAsync(Options.Port).WaitAsync(Test.Timeout);
            return new RogueDevice(sidecar, status, appId, deviceId, reads);
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
    }

    /// <summary>The newest connection <paramref name="node"/> dialled to the rogue and the rogue accepted.</summary>
    public async Task<RogueLink> AcceptedFromAsync(TruffleNode node)
    {
        await DialledByAllAsync([node]);
        IReadOnlyList<SidecarPeer> peers = await _sidecar.GetPeersAsync().WaitAsync(Test.Timeout);
        string nodeId = peers.Single(p => p.Hostname == node.Hostname).Id;
        lock (_acceptedFrom)
        {
            return _acceptedFrom.TryGetValue(nodeId, out RogueLink? link)
                ? link
                : throw new InvalidOperationException($"{node.Hostname} dialled the rogue and was refused.");
        }
    }

    /// <summary>A device id as an honest device makes one.</summary>
    public static string NewDeviceId() => Guid.NewGuid().ToString("N");

    /// <summary>The id it says hello as to connections the real devices dial.</summary>
    public string Presenting => Volatile.Read(ref _presenting);

    /// <summary>A control envelope of the mesh (a ping, a pong, an election message) with every field chosen by the rogue.</summary>
    public static Envelope Control(string from, string to, string type, ulong sequence, byte[] payload) =>
        new(EnvelopeKind.Control, MeshNode.ControlNamespace, type, from, to, sequence, 0, 0, EnvelopeFlags.None, payload);

    /// <summary>The id it says hello as to connections the real devices dial from now on.</summary>
    public void Present(string deviceId) => Volatile.Write(ref _presenting, deviceId);

    /// <summary>Whether its hellos claim the best rank there is (preferring primary, the highest priority).</summary>
    public bool ClaimsBestRank { get; set; }

    /// <summary>A hello as <paramref name="deviceId"/>, from the rogue's own node (so the network check passes).</summary>
    public Hello HelloAs(string deviceId) => new(
        Hello.CurrentVersion, _appId, deviceId, "rogue", "rogue", "rogue", NodeId, Incarnation: 1, PreferPrimary: ClaimsBestRank,
        Priority: ClaimsBestRank ? int.MaxValue : 0, [],
        new Dictionary<string, string>());

    /// <summary>
    /// Dials <paramref name="target"/> and says hello as <paramref name="deviceId"/>; the connection is started (what
    /// arrives is kept in <see cref="RogueLink.Received"/>).
    /// </summary>
    /// <exception cref="HandshakeException">The target refused the hello.</exception>
    public async Task<RogueLink> ConnectAsync(TruffleNode target, string deviceId)
    {
        IReadOnlyList<SidecarPeer> peers = await _sidecar.GetPeersAsync().WaitAsync(Test.Timeout);
        SidecarPeer peer = peers.Single(p => p.Hostname == target.Hostname);
        PeerConnection connection = await PeerConnection.ConnectAsync(
            ct => _sidecar.DialAsync(peer.DnsName, Options.Port, cancellationToken: ct), peer.Id, HelloAs(deviceId), null, Options,
            NullLoggerFactory.Instance, CancellationToken.None).WaitAsync(Test.Timeout);
        var received = new RecordingHandler();
        connection.Start(received);
        Keep(connection);
        return new RogueLink(connection, received);
    }

    /// <summary>An application envelope with every field chosen by the rogue.</summary>
    public static Envelope App(string from, string to, string messageNamespace, ulong sequence, ulong term, byte[] payload) =>
        new(EnvelopeKind.App, messageNamespace, "forged", from, to, sequence, term, 0, EnvelopeFlags.None, payload);

    /// <summary>An election message of the rogue's choosing, as the control envelope a member sends it in.</summary>
    public static Envelope Election(string from, string to, ElectionMessage message) =>
        new(EnvelopeKind.Control, MeshNode.ControlNamespace, "election", from, to, 1, message.Term, 0, EnvelopeFlags.None,
            ElectionMessageCodec.Encode(message));

    /// <summary>Leaves without a goodbye: its connections drop and its node leaves the network.</summary>
    public async ValueTask DisposeAsync()
    {
        _deafUntilLeaving?.TrySetResult();
        await _stopping.CancelAsync();
        await _acceptLoop;
        Task[] handshakes;
        lock (_handshakes)
        {
            handshakes = [.. _handshakes];
        }

        await Task.WhenAll(handshakes);
        PeerConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (PeerConnection connection in connections)
        {
            await connection.DisposeAsync();
        }

        await _sidecar.DisposeAsync();
        _stopping.Dispose();
        _dialled.Dispose();
    }

    private void Keep(PeerConnection connection)
    {
        lock (_connections)
        {
            _connections.Add(connection);
        }
    }

    /// <summary>Answers the real devices' dials with the hello it presents now; a refusal by them is counted.</summary>
    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                BridgeConnection incoming = await _sidecar.AcceptAsync(cancellationToken);
                lock (_handshakes)
                {
                    _handshakes.Add(Task.Run(() => HandshakeAsync(incoming, cancellationToken), CancellationToken.None));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Leaving.
        }
    }

    private void Dialled(BridgeConnection incoming)
    {
        lock (_dialledBy)
        {
            _dialledBy.Add(incoming.RemoteIdentity?.NodeId ?? "");
        }

        _dialled.Release();
    }

    private async Task HandshakeAsync(BridgeConnection incoming, CancellationToken cancellationToken)
    {
        try
        {
            PeerConnection connection = await PeerConnection.AcceptAsync(
                incoming, HelloAs(Volatile.Read(ref _presenting)), null, Options, NullLoggerFactory.Instance, cancellationToken);
            if (_deafUntilLeaving is not null)
            {
                connection.PauseReadingUntil(_deafUntilLeaving.Task);
            }

            var received = new RecordingHandler();
            connection.Start(received);
            Keep(connection);
            lock (_acceptedFrom)
            {
                _acceptedFrom[incoming.RemoteIdentity?.NodeId ?? ""] = new RogueLink(connection, received);
            }

            Dialled(incoming);
        }
        catch (HandshakeException e) when (e.CloseCode == CloseCodes.IdentityMismatch)
        {
            Interlocked.Increment(ref _refusedIncoming);
            Dialled(incoming);
        }
        catch (Exception e) when (e is HandshakeException or OperationCanceledException or WebSocketException or IOException)
        {
            // The real device went away mid-handshake, or the rogue is leaving.
        }
    }
}

/// <summary>A connection the rogue dialled, and what it received on it.</summary>
internal sealed record RogueLink(PeerConnection Connection, RecordingHandler Received);
