using System.Diagnostics.CodeAnalysis;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <content>What this device sends: to one device, to every device, and without waiting (for sync).</content>
internal sealed partial class Router
{
    /// <summary>Sends an application envelope to one device.</summary>
    /// <exception cref="DeviceUnreachableException">There is no link to the device (or to the primary that would relay it).</exception>
    public async ValueTask SendAsync(
        string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, Correlation correlation,
        CancellationToken cancellationToken)
    {
        ElectionState state = _election.Published;
        if (!TryRoute(to, state, out IPeerLink? via, out EnvelopeKind kind))
        {
            throw new DeviceUnreachableException(to);
        }

        var envelope = new Envelope(
            kind, messageNamespace, messageType, _self, to, NextSequence(), state.Term, correlation.Id, correlation.Flags, payload, correlation.TimeoutMs,
            TraceContext.Current);
        try
        {
            await via.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionClosedException e)
        {
            throw new DeviceUnreachableException(to, e);
        }

        CountSent(to);
    }

    /// <summary>
    /// Queues an application envelope for one device (or every other device when <paramref name="to"/> is empty)
    /// without ever waiting, over the send bound if need be: for a layer whose own protocol repairs loss (sync) and
    /// which must not block. False when there is no link to send it through.
    /// </summary>
    public bool Post(string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload)
    {
        ElectionState state = _election.Published;
        var envelope = new Envelope(
            EnvelopeKind.App, messageNamespace, messageType, _self, to, NextSequence(), state.Term, 0, EnvelopeFlags.None, payload, Trace: TraceContext.Current);
        // Counted as SendAsync and BroadcastAsync count (the fan-out below counts per link), so sync shows in the totals.
        if (to.Length > 0)
        {
            return TryRoute(to, state, out IPeerLink? via, out EnvelopeKind kind) && Counted(via.SendOverBound(envelope with { Kind = kind }), to);
        }

        if (TryGetRelay(state, out IPeerLink? relay))
        {
            return Counted(relay.SendOverBound(envelope with { Kind = EnvelopeKind.Route }), relay.DeviceId);
        }

        lock (_broadcastOrder)
        {
            Fanout(envelope, except: null);
        }

        return true;
    }

    /// <summary>Sends an application envelope to every other device; it is not delivered back to this one.</summary>
    public async ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ElectionState state = _election.Published;
        var envelope = new Envelope(
            EnvelopeKind.App, messageNamespace, messageType, _self, To: "", NextSequence(), state.Term, 0, EnvelopeFlags.None, payload, Trace: TraceContext.Current);
        if (TryGetRelay(state, out IPeerLink? via))
        {
            try
            {
                await via.SendAsync(envelope with { Kind = EnvelopeKind.Route }, cancellationToken).ConfigureAwait(false);
                CountSent(via.DeviceId);
                return;
            }
            catch (ConnectionClosedException)
            {
                // The primary went away; fall through to point to point.
            }
        }

        if (state.Role == MeshRole.Primary && _routing == TruffleRouting.Star)
        {
            // Room first, then enqueue everywhere at once under the order lock.
            foreach (IPeerLink link in _links.Values)
            {
                await link.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            }

            lock (_broadcastOrder)
            {
                Fanout(envelope, except: null);
            }

            return;
        }

        foreach (IPeerLink link in _links.Values)
        {
            try
            {
                await link.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
                CountSent(link.DeviceId);
            }
            catch (ConnectionClosedException)
            {
                // At-most-once: a device that left meanwhile misses the broadcast.
            }
        }
    }

    /// <summary>
    /// How to reach <paramref name="to"/>: through the primary (a route envelope) when this node is a secondary of a
    /// STAR mesh and the target is another online device, else directly. False when there is no such link.
    /// </summary>
    private bool TryRoute(string to, ElectionState state, [NotNullWhen(true)] out IPeerLink? via, out EnvelopeKind kind)
    {
        kind = EnvelopeKind.App;
        if (state.PrimaryId != to && _links.ContainsKey(to) && TryGetRelay(state, out via))
        {
            kind = EnvelopeKind.Route;
            return true;
        }

        return _links.TryGetValue(to, out via);
    }

    /// <summary>The link to the primary, when this node is a secondary of a STAR mesh and has one.</summary>
    private bool TryGetRelay(ElectionState state, [NotNullWhen(true)] out IPeerLink? relay)
    {
        relay = null;
        return _routing == TruffleRouting.Star && state.Role == MeshRole.Secondary && state.PrimaryId is { } primary
            && _links.TryGetValue(primary, out relay);
    }

    private bool Counted(bool sent, string to)
    {
        if (sent)
        {
            CountSent(to);
        }

        return sent;
    }
}
