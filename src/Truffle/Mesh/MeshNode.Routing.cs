using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <content>
/// Routing (SPEC §5). With <see cref="TruffleRouting.Star"/>, a secondary sends everything that is not for the
/// primary itself to the primary as a route envelope; the primary delivers or forwards it with the original sender
/// kept. The primary enqueues every broadcast (its own and relayed ones) on all connections under one lock, so all
/// devices see broadcasts in one order. Without a primary (electing, minority partition) messages go point to point.
/// </content>
internal sealed partial class MeshNode
{
    private readonly Lock _broadcastOrder = new();

    // Per sender: which sequence numbers were delivered, so a duplicate is dropped (at-most-once).
    private readonly Dictionary<string, ReplayWindow> _delivered = new(StringComparer.Ordinal);

    /// <summary>Sends an application envelope to one device.</summary>
    /// <exception cref="DeviceUnreachableException">There is no connection to the device (or to the primary that would relay it).</exception>
    public async ValueTask SendAsync(
        string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, EnvelopeFlags flags, ulong correlationId,
        CancellationToken cancellationToken)
    {
        ElectionState state = _election.State;
        if (!TryRoute(to, state, out PeerConnection? via, out EnvelopeKind kind))
        {
            throw new DeviceUnreachableException(to);
        }

        var envelope = new Envelope(kind, messageNamespace, messageType, DeviceId, to, NextSequence(), state.Term, correlationId, flags, payload);
        try
        {
            await via.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionClosedException e)
        {
            throw new DeviceUnreachableException(to, e);
        }

        MeshMetrics.Sent.Add(1);
    }

    /// <summary>
    /// Queues an application envelope for one device (or every other device when <paramref name="to"/> is empty)
    /// without ever waiting, over the send bound if need be: for a layer whose own protocol repairs loss (sync) and
    /// which must not block. False when there is no connection to send it through.
    /// </summary>
    public bool Post(string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload)
    {
        ElectionState state = _election.State;
        var envelope = new Envelope(EnvelopeKind.App, messageNamespace, messageType, DeviceId, to, NextSequence(), state.Term, 0, EnvelopeFlags.None, payload);
        if (to.Length > 0)
        {
            return TryRoute(to, state, out PeerConnection? via, out EnvelopeKind kind) && via.SendControl(envelope with { Kind = kind });
        }

        bool star = _options.Routing == TruffleRouting.Star;
        if (star && state.Role == MeshRole.Secondary && state.PrimaryId is { } primary && _connections.TryGetValue(primary, out PeerConnection? relay))
        {
            return relay.SendControl(envelope with { Kind = EnvelopeKind.Route });
        }

        lock (_broadcastOrder)
        {
            Fanout(envelope, except: null);
        }

        return true;
    }

    /// <summary>
    /// How to reach <paramref name="to"/>: through the primary (a route envelope) when this node is a secondary of a
    /// STAR mesh and the target is another online device, else directly. False when there is no such connection.
    /// </summary>
    private bool TryRoute(string to, ElectionState state, [NotNullWhen(true)] out PeerConnection? via, out EnvelopeKind kind)
    {
        kind = EnvelopeKind.App;
        if (_options.Routing == TruffleRouting.Star && state.Role == MeshRole.Secondary && state.PrimaryId is { } primary && primary != to
            && _devices.TryGetValue(to, out TruffleDevice? target) && target.IsOnline && _connections.TryGetValue(primary, out via))
        {
            kind = EnvelopeKind.Route;
            return true;
        }

        return _connections.TryGetValue(to, out via);
    }

    /// <summary>Sends an application envelope to every other device; it is not delivered back to this one.</summary>
    public async ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ElectionState state = _election.State;
        var envelope = new Envelope(EnvelopeKind.App, messageNamespace, messageType, DeviceId, To: "", NextSequence(), state.Term, 0, EnvelopeFlags.None, payload);
        if (_options.Routing == TruffleRouting.Star && state.Role == MeshRole.Secondary && state.PrimaryId is { } primary
            && _connections.TryGetValue(primary, out PeerConnection? via))
        {
            try
            {
                await via.SendAsync(envelope with { Kind = EnvelopeKind.Route }, cancellationToken).ConfigureAwait(false);
                MeshMetrics.Sent.Add(1);
                return;
            }
            catch (ConnectionClosedException)
            {
                // The primary went away; fall through to point to point.
            }
        }

        if (state.Role == MeshRole.Primary && _options.Routing == TruffleRouting.Star)
        {
            // Room first, then enqueue everywhere at once under the order lock.
            foreach (PeerConnection connection in _connections.Values)
            {
                await connection.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            }

            lock (_broadcastOrder)
            {
                Fanout(envelope, except: null);
            }

            return;
        }

        foreach (PeerConnection connection in _connections.Values)
        {
            try
            {
                await connection.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
                MeshMetrics.Sent.Add(1);
            }
            catch (ConnectionClosedException)
            {
                // At-most-once: a device that left meanwhile misses the broadcast.
            }
        }
    }

    /// <summary>
    /// A route envelope reached this node: deliver it, forward it, or both (broadcast). A relay never drops for a full
    /// queue: it queues anyway and stops reading from <paramref name="source"/> until the targets have room again, so
    /// backpressure reaches the original sender through TCP. It drops only what has no open target.
    /// </summary>
    private void Relay(PeerConnection source, in Envelope envelope)
    {
        ElectionState state = _election.State;
        if (state.Role != MeshRole.Primary)
        {
            // The sender thinks this node is primary and it no longer is: deliver what is for it, drop the rest.
            if (envelope.IsBroadcast || envelope.To == DeviceId)
            {
                Receive(envelope with { Kind = EnvelopeKind.App });
            }

            if (!envelope.IsBroadcast && envelope.To != DeviceId)
            {
                Drop("not_primary");
            }

            return;
        }

        Envelope forward = envelope with { Kind = EnvelopeKind.App, Term = state.Term };
        if (envelope.IsBroadcast)
        {
            lock (_broadcastOrder)
            {
                Receive(forward);
                Fanout(forward, except: envelope.From);
            }

            PauseIfFull(source, except: envelope.From);
        }
        else if (envelope.To == DeviceId)
        {
            Receive(forward);
        }
        else if (_connections.TryGetValue(envelope.To, out PeerConnection? target))
        {
            if (target.TrySend(forward))
            {
                MeshMetrics.Relayed.Add(1);
            }
            else if (target.SendControl(forward))
            {
                MeshMetrics.Relayed.Add(1);
                source.PauseReadingUntil(target.WaitForRoomAsync(CancellationToken.None).AsTask());
            }
            else
            {
                Drop("closed");
                AnswerUnreachable(envelope);
            }
        }
        else
        {
            Drop("unreachable");
            AnswerUnreachable(envelope);
        }
    }

    /// <summary>A relayed request that cannot reach its target fails at once for the caller instead of timing out.</summary>
    private void AnswerUnreachable(in Envelope request)
    {
        if ((request.Flags & EnvelopeFlags.Request) != 0 && _connections.TryGetValue(request.From, out PeerConnection? caller))
        {
            caller.TrySend(new Envelope(
                EnvelopeKind.App, request.Namespace, request.Type, DeviceId, request.From, NextSequence(), _election.State.Term,
                request.CorrelationId, EnvelopeFlags.Reply | EnvelopeFlags.Unreachable, ReadOnlyMemory<byte>.Empty));
        }
    }

    /// <summary>Stops reading from <paramref name="source"/> until every other connection has room.</summary>
    private void PauseIfFull(PeerConnection source, string except)
    {
        List<Task>? waits = null;
        foreach (PeerConnection connection in _connections.Values)
        {
            if (connection.Remote.DeviceId != except && connection.WaitForRoomAsync(CancellationToken.None).AsTask() is { IsCompleted: false } wait)
            {
                (waits ??= []).Add(wait);
            }
        }

        if (waits is not null)
        {
            source.PauseReadingUntil(Task.WhenAll(waits));
        }
    }

    /// <summary>Queues on every connection but <paramref name="except"/>, over the bound if need be (see the callers).</summary>
    private void Fanout(in Envelope envelope, string? except)
    {
        foreach (PeerConnection connection in _connections.Values)
        {
            if (connection.Remote.DeviceId == except)
            {
                continue;
            }

            if (!connection.SendControl(envelope))
            {
                Drop("closed");
            }
            else if (except is not null)
            {
                MeshMetrics.Relayed.Add(1);
            }
            else
            {
                MeshMetrics.Sent.Add(1);
            }
        }
    }

    /// <summary>Hands an application envelope for this device to the layer above, at most once.</summary>
    private void Receive(in Envelope envelope)
    {
        bool fresh;
        lock (_delivered)
        {
            ref ReplayWindow window = ref CollectionsMarshal.GetValueRefOrAddDefault(_delivered, envelope.From, out _);
            fresh = window.TryAccept(envelope.Sequence);
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
            receiver.OnEnvelope(envelope);
            MeshMetrics.Received.Add(1);
        }
#pragma warning disable CA1031 // a receiver's failure must not end the connection's read loop
        catch (Exception e)
#pragma warning restore CA1031
        {
            MeshLog.ReceiverFailed(_logger, envelope.Namespace, envelope.Type, envelope.From, e);
            TruffleMetrics.HandlerErrors.Add(1, new KeyValuePair<string, object?>("namespace", envelope.Namespace));
        }
    }

    private static void Drop(string reason) =>
        MeshMetrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
