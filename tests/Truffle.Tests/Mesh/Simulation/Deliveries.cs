using System.Globalization;
using Truffle.Wire;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>What every node received from <see cref="Traffic"/>, checked against the routing contract.</summary>
internal static class Deliveries
{
    /// <summary>
    /// Every breach: a message whose sender is not its true origin (a relay showing through), a broadcast delivered
    /// back to its origin, or a message from one origin process delivered after a later one (order per sender, which
    /// also rules out duplicates), each within one incarnation of the receiver.
    /// </summary>
    public static List<string> Violations(SimulatedNetwork network)
    {
        List<string> violations = [];
        foreach (SimNode node in network.Nodes)
        {
            Dictionary<(int Receiver, string Origin, int Incarnation), long> last = [];
            foreach ((int incarnation, Envelope envelope) in node.Received)
            {
                (string origin, int originIncarnation, long counter) = Traffic.Decode(envelope.Payload.Span);
                string message = string.Create(CultureInfo.InvariantCulture, $"{origin}#{originIncarnation}'s message {counter}");
                if (envelope.From != origin)
                {
                    violations.Add($"{node.Id} got {message} as sent by {envelope.From}");
                }

                if (origin == node.Id)
                {
                    violations.Add($"{node.Id} got {message} back");
                }

                (int, string, int) key = (incarnation, origin, originIncarnation);
                if (last.TryGetValue(key, out long previous) && counter <= previous)
                {
                    violations.Add(string.Create(CultureInfo.InvariantCulture, $"{node.Id}#{incarnation} got {message} after message {previous}"));
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
        foreach ((int _, Envelope envelope) in node.Received)
        {
            (string origin, int _, long counter) = Traffic.Decode(envelope.Payload.Span);
            counts[(origin, counter)] = counts.GetValueOrDefault((origin, counter)) + 1;
        }

        return counts;
    }
}
