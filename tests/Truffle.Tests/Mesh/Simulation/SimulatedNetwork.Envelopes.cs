using Truffle.Wire;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>
/// Application envelopes: each connection delivers in the order it was given (TCP), with the network's delay,
/// loss and duplication; a delay spike holds up everything behind it. An envelope is lost when its connection is
/// gone by the time it would arrive.
/// </summary>
internal sealed partial class SimulatedNetwork
{
    private readonly Dictionary<SimLink, long> _lastArrival = [];

    /// <summary>Envelopes that arrived as route envelopes at a node (the primary relaying or delivering them).</summary>
    public int RouteEnvelopesSeen { get; private set; }

    internal void Transmit(SimLink link, SimNode from, SimNode to, Envelope envelope)
    {
        if (!IsUp(from, to) || Random.NextDouble() < Conditions.Loss)
        {
            return;
        }

        long at = Math.Max((Now + Delay()).UtcTicks, _lastArrival.GetValueOrDefault(link));
        _lastArrival[link] = at;
        int copies = Random.NextDouble() < Conditions.Duplication ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            _events.Enqueue(() => Deliver(link, from, to, envelope), (at, _sequence++));
        }
    }

    private void Deliver(SimLink link, SimNode from, SimNode target, Envelope envelope)
    {
        // The connection that carried it must still be the sender's, and the receiver must still hold one back.
        if (!from.Alive || !target.Alive || !IsUp(from, target) || from.LinkTo(target.Id) != link || target.LinkTo(from.Id) is not { } back)
        {
            return;
        }

        if (target.Paused)
        {
            target.Hold(new object(), () => Deliver(link, from, target, envelope));
            return;
        }

        if (envelope.Kind == EnvelopeKind.Route)
        {
            RouteEnvelopesSeen++;
        }

        target.Router.OnEnvelope(back, envelope);
    }
}
