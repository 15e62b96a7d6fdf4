using System.Globalization;

namespace Truffle.Tests.Simulation;

/// <summary>What every device's bus delivered from <see cref="Traffic"/>, checked against the routing contract.</summary>
internal static class Deliveries
{
    /// <summary>
    /// Waits (in real time) until every device's bus handler has taken what the mesh delivered: the handlers run on
    /// the thread pool, outside the simulation.
    /// </summary>
    public static void Drain(SimulatedNetwork network)
    {
        if (!SpinWait.SpinUntil(() => network.Nodes.All(n => n.DeliveriesHandled), Support.Test.Timeout))
        {
            throw new TimeoutException($"seed {network.Seed}: the bus handlers did not take every delivered message");
        }
    }

    /// <summary>
    /// Every breach: a message whose sender is not its true origin (a relay showing through), a broadcast delivered
    /// back to its origin, or a message from one origin process delivered after a later one (order per sender, which
    /// also rules out duplicates), each within one incarnation of the receiver.
    /// </summary>
    public static List<string> Violations(SimulatedNetwork network)
    {
        Drain(network);
        List<string> violations = [];
        foreach (SimNode node in network.Nodes)
        {
            Dictionary<(int Receiver, string Origin, int Incarnation), long> last = [];
            foreach ((int incarnation, InboundMessage message) in node.Received)
            {
                (string origin, int originIncarnation, long counter) = Traffic.Decode(message.Payload.Span);
                string text = string.Create(CultureInfo.InvariantCulture, $"{origin}#{originIncarnation}'s message {counter}");
                if (message.From != origin)
                {
                    violations.Add($"{node.Id} got {text} as sent by {message.From}");
                }

                if (origin == node.Id)
                {
                    violations.Add($"{node.Id} got {text} back");
                }

                (int, string, int) key = (incarnation, origin, originIncarnation);
                if (last.TryGetValue(key, out long previous) && counter <= previous)
                {
                    violations.Add(string.Create(CultureInfo.InvariantCulture, $"{node.Id}#{incarnation} got {text} after message {previous}"));
                }

                last[key] = Math.Max(previous, counter);
            }
        }

        return violations;
    }

    /// <summary>How many times <paramref name="node"/> received each (origin, counter).</summary>
    public static Dictionary<(string Origin, long Counter), int> Counts(SimNode node)
    {
        Dictionary<(string, long), int> counts = [];
        foreach ((int _, InboundMessage message) in node.Received)
        {
            (string origin, int _, long counter) = Traffic.Decode(message.Payload.Span);
            counts[(origin, counter)] = counts.GetValueOrDefault((origin, counter)) + 1;
        }

        return counts;
    }
}
