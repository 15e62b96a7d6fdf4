using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>
/// Routing (SPEC §5). With <see cref="TruffleRouting.Star"/>, a secondary sends everything that is not for the
/// primary itself to the primary as a route envelope; the primary delivers or forwards it with the original sender
/// kept. The primary enqueues every broadcast (its own and relayed ones) on all connections under one lock, so all
/// devices see broadcasts in one order. Without a primary (electing, minority partition) messages go point to point.
/// </summary>
/// <remarks>
/// The router knows only links and the election, so the deterministic simulation runs this very code over an
/// in-memory network; <see cref="MeshNode"/> gives it the real connections.
/// </remarks>
internal sealed partial class Router
{
    private readonly string _self;
    private readonly TruffleRouting _routing;
    private readonly Election _election;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly ConcurrentDictionary<string, IPeerLink> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IMeshReceiver> _receivers = new(StringComparer.Ordinal);
    private readonly Lock _broadcastOrder = new();

    // Per sender: what was delivered and on which route, so a duplicate or a straggler is dropped.
    private readonly Dictionary<string, ReplayWindow> _delivered = new(StringComparer.Ordinal);
    private IMeshReceiver? _defaultReceiver;
    private long _sequence;

    /// <param name="self">This device's id.</param>
    /// <param name="routing">Star (through the primary) or direct.</param>
    /// <param name="election">The role and term every decision reads, and where envelope terms are reported.</param>
    /// <param name="lastSequence">
    /// The sequence number before this process's first: above every one an earlier incarnation used, so receivers
    /// never take a new incarnation's first envelopes for old ones.
    /// </param>
    /// <param name="logger">Where rejected envelopes and failing receivers are logged.</param>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter (the process-wide ones when null).</param>
    public Router(string self, TruffleRouting routing, Election election, ulong lastSequence, ILogger logger, TruffleMetrics? metrics = null)
    {
        _self = self;
        _routing = routing;
        _election = election;
        _sequence = (long)lastSequence;
        _logger = logger;
        _metrics = metrics ?? TruffleMetrics.Shared;
    }

    /// <summary>What this node sent, received and relayed, per device.</summary>
    public MeshTraffic Traffic { get; } = new();

    /// <summary>The sequence number for the next envelope this device sends.</summary>
    public ulong NextSequence() => (ulong)Interlocked.Increment(ref _sequence);

    /// <summary>Routes through <paramref name="link"/> from now on (replacing an older link to the same device).</summary>
    public void Attach(IPeerLink link) => _links[link.DeviceId] = link;

    /// <summary>Stops routing through <paramref name="link"/>, unless a newer link to its device replaced it.</summary>
    public void Detach(IPeerLink link) => _links.TryRemove(new KeyValuePair<string, IPeerLink>(link.DeviceId, link));

    /// <summary>
    /// Receives application envelopes of one (reserved) namespace, such as <c>sync</c>, or of every namespace without
    /// a receiver of its own when <paramref name="messageNamespace"/> is null.
    /// </summary>
    public void SetReceiver(string? messageNamespace, IMeshReceiver receiver)
    {
        if (messageNamespace is null)
        {
            _defaultReceiver = receiver;
        }
        else
        {
            _receivers[messageNamespace] = receiver;
        }
    }

    /// <summary>
    /// An application or route envelope arrived on <paramref name="source"/>. A link may only speak for its own
    /// device, except the primary of a current term relaying (fencing); anything else is dropped, logged and counted.
    /// </summary>
    public void OnEnvelope(IPeerLink source, in Envelope envelope)
    {
        string peer = source.DeviceId;
        switch (envelope.Kind)
        {
            case EnvelopeKind.Route when envelope.From == peer:
                ObserveTerm(peer, envelope.Term);
                Relay(source, envelope);
                return;
            case EnvelopeKind.App when envelope.From == peer:
                ObserveTerm(peer, envelope.Term);
                Receive(envelope, source);
                return;
            case EnvelopeKind.App when envelope.From != _self && IsRelayFromPrimary(peer, envelope.Term):
                ObserveTerm(peer, envelope.Term);
                Receive(envelope, source);
                return;
            default:
                ObserveTerm(peer, envelope.Term);
                MeshLog.EnvelopeRejected(_logger, peer, envelope.From, envelope.Kind.ToString(), envelope.Term);
                _metrics.Mesh.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "sender"));
                return;
        }
    }

    /// <summary>
    /// Only a newer term matters to the election here (it steps down and forgets its primary); liveness it learns from
    /// its own heartbeats and acks. So an envelope of the current term, nearly all of them, costs no lock.
    /// </summary>
    private void ObserveTerm(string peer, ulong term)
    {
        if (term > _election.Term)
        {
            _election.ObserveTerm(peer, term);
        }
    }

    /// <summary>
    /// Fencing and authenticity: a relay is believed only from the primary this node itself follows, in that primary's
    /// term. No field of the envelope can make another connection count as the relay; a newer term it names is only a
    /// reason for the election to ask (<see cref="ObserveTerm"/>), and the envelope is dropped.
    /// </summary>
    private bool IsRelayFromPrimary(string peer, ulong term)
    {
        ElectionState state = _election.Published;
        return state.Role == MeshRole.Secondary && term == state.Term && state.PrimaryId == peer;
    }

    /// <summary>
    /// Hands an application envelope for this device to the layer above, at most once and in order; when the layer
    /// above is full and waits (<see cref="OverflowPolicy.Wait"/>), <paramref name="source"/> reads nothing more until
    /// it has room, as for a relay's full target.
    /// </summary>
    private void Receive(in Envelope envelope, IPeerLink source)
    {
        string route = source.DeviceId;
        bool fresh;
        lock (_delivered)
        {
            ref ReplayWindow window = ref CollectionsMarshal.GetValueRefOrAddDefault(_delivered, envelope.From, out _);
            fresh = window.TryAccept(envelope.Sequence, route);
        }

        if (!fresh)
        {
            Drop("duplicate");
            return;
        }

        IMeshReceiver? receiver = _receivers.TryGetValue(envelope.Namespace, out IMeshReceiver? own) ? own : _defaultReceiver;
        if (receiver is null)
        {
            Drop("no_receiver");
            return;
        }

        try
        {
            if (receiver.OnEnvelope(envelope) is { } room)
            {
                source.PauseReadingUntil(room);
            }

            _metrics.Mesh.Received.Add(1);
            Traffic.CountReceived(envelope.From);
        }
#pragma warning disable CA1031 // a receiver's failure must not end the connection's read loop
        catch (Exception e)
#pragma warning restore CA1031
        {
            MeshLog.ReceiverFailed(_logger, envelope.Namespace, envelope.Type, envelope.From, e);
            _metrics.HandlerErrors.Add(1, new KeyValuePair<string, object?>("namespace", envelope.Namespace));
        }
    }

    private void Drop(string reason) =>
        _metrics.Mesh.Dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    private void CountSent(string to)
    {
        _metrics.Mesh.Sent.Add(1);
        Traffic.CountSent(to);
    }

    private void CountRelayed(string to)
    {
        _metrics.Mesh.Relayed.Add(1);
        Traffic.CountRelayed(to);
    }
}
