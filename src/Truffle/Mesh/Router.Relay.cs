using System.Diagnostics;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <content>The primary's side of STAR: delivering and forwarding route envelopes, and fanning broadcasts out.</content>
internal sealed partial class Router
{
    /// <summary>
    /// A route envelope reached this node: deliver it, forward it, or both (broadcast). A relay never drops for a full
    /// queue: it queues anyway and stops reading from <paramref name="source"/> until the targets have room again, so
    /// backpressure reaches the original sender through TCP. It drops only what has no open target. The pause is
    /// bounded: a target whose queue stays over its bound for <see cref="TransportOptions.SlowConsumerTimeout"/> (or
    /// reaches <see cref="TransportOptions.MaxQueuedBytes"/>) is cut as a slow consumer, which ends the wait.
    /// </summary>
    private void Relay(IPeerLink source, in Envelope envelope)
    {
        ElectionState state = _election.Published;
        if (state.Role != MeshRole.Primary)
        {
            // The sender thinks this node is primary and it no longer is: deliver what is for it, drop the rest.
            if (envelope.IsBroadcast || envelope.To == _self)
            {
                Receive(envelope with { Kind = EnvelopeKind.App }, source);
            }

            if (!envelope.IsBroadcast && envelope.To != _self)
            {
                Drop("not_primary");
            }

            return;
        }

        // The forwarded envelope carries the relay's span, so the receiver's delivery is its child.
        using Activity? relay = TruffleTracing.StartRelay(envelope);
        Envelope forward = envelope with
        {
            Kind = EnvelopeKind.App, Term = state.Term, Trace = relay is null ? envelope.Trace : TraceContext.From(relay),
        };
        if (envelope.IsBroadcast)
        {
            lock (_broadcastOrder)
            {
                Receive(forward, source);
                Fanout(forward, except: envelope.From);
            }

            PauseIfFull(source, except: envelope.From);
        }
        else if (envelope.To == _self)
        {
            Receive(forward, source);
        }
        else if (_links.TryGetValue(envelope.To, out IPeerLink? target))
        {
            if (target.TrySend(forward))
            {
                CountRelayed(target.DeviceId);
            }
            else if (target.SendOverBound(forward))
            {
                CountRelayed(target.DeviceId);
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
        if ((request.Flags & EnvelopeFlags.Request) != 0 && _links.TryGetValue(request.From, out IPeerLink? caller))
        {
            caller.TrySend(new Envelope(
                EnvelopeKind.App, request.Namespace, request.Type, _self, request.From, NextSequence(), _election.Published.Term,
                request.CorrelationId, EnvelopeFlags.Reply | EnvelopeFlags.Unreachable, ReadOnlyMemory<byte>.Empty));
        }
    }

    /// <summary>Stops reading from <paramref name="source"/> until every other link has room.</summary>
    private void PauseIfFull(IPeerLink source, string except)
    {
        List<Task>? waits = null;
        foreach (IPeerLink link in _links.Values)
        {
            if (link.DeviceId != except && link.WaitForRoomAsync(CancellationToken.None).AsTask() is { IsCompleted: false } wait)
            {
                (waits ??= []).Add(wait);
            }
        }

        if (waits is not null)
        {
            source.PauseReadingUntil(Task.WhenAll(waits));
        }
    }

    /// <summary>Queues on every link but <paramref name="except"/>, over the bound if need be (see the callers).</summary>
    private void Fanout(in Envelope envelope, string? except)
    {
        foreach (IPeerLink link in _links.Values)
        {
            if (link.DeviceId == except)
            {
                continue;
            }

            if (!link.SendOverBound(envelope))
            {
                Drop("closed");
            }
            else if (except is not null)
            {
                CountRelayed(link.DeviceId);
            }
            else
            {
                CountSent(link.DeviceId);
            }
        }
    }
}
