using System.Buffers.Binary;
using System.Text;
using Truffle.Mesh;
using Truffle.Wire;

namespace Truffle.Tests.Simulation;

/// <summary>
/// A member that lies (issue 10): next to its own honest node, it sends crafted envelopes over its real connections,
/// a random attack every few tens of milliseconds — forged relays of a newer term (as another device, as the
/// receiver itself, with sequence numbers meant to poison replay windows), claims and heartbeats without votes,
/// absurd terms, refusals and step-downs naming higher terms, lying votes and floods of support queries.
/// </summary>
/// <remarks>
/// A forged message carries the liar's id as its origin in the payload, so <see cref="Deliveries"/> reports any that
/// a device delivers as another's.
/// </remarks>
internal sealed class Rogue
{
    private readonly SimulatedNetwork _network;
    private readonly SimNode _liar;
    private bool _stopped;
    private ulong _sequence = 1UL << 40;

    private Rogue(SimulatedNetwork network, SimNode liar)
    {
        _network = network;
        _liar = liar;
    }

    /// <summary>How many crafted envelopes it sent.</summary>
    public int Attacks { get; private set; }

    public static Rogue Start(SimulatedNetwork network, SimNode liar)
    {
        var rogue = new Rogue(network, liar);
        rogue.ScheduleNext();
        return rogue;
    }

    public void Stop() => _stopped = true;

    private void ScheduleNext() => _network.At(TimeSpan.FromMilliseconds(_network.Random.Next(10, 150)), Attack);

    private void Attack()
    {
        if (_stopped)
        {
            return;
        }

        ScheduleNext();
        List<SimConnection> links = [.. _network.OpenConnections.Where(c => c.Owner == _liar)];
        if (!_liar.Alive || links.Count == 0)
        {
            return;
        }

        Random random = _network.Random;
        SimConnection link = links[random.Next(links.Count)];
        ulong term = _liar.Mesh.State.Term;
        ulong ahead = random.Next(4) switch
        {
            0 => term,
            1 => term + (ulong)random.Next(1, 4),
            2 => term + Truffle.Mesh.Election.MaxTermStep + 1,
            _ => ElectionMessageCodec.MaxTerm,
        };

        Attacks++;
        switch (random.Next(6))
        {
            case 0 or 1:
                string[] others = [.. _network.Nodes.Where(n => n != _liar).Select(n => n.Id)];
                string victim = random.Next(3) == 0 ? link.DeviceId : others[random.Next(others.Length)];
                link.TrySend(new Envelope(
                    EnvelopeKind.App, Traffic.Namespace, "m", victim, random.Next(2) == 0 ? link.DeviceId : string.Empty,
                    _sequence++, ahead, 0, EnvelopeFlags.None, Forged()));
                break;
            case 2:
                SendElection(link, new ElectionMessage(random.Next(2) == 0 ? ElectionMessageKind.Claim : ElectionMessageKind.Heartbeat, ahead));
                break;
            case 3:
                var kinds = new[] { ElectionMessageKind.Reject, ElectionMessageKind.StepDown, ElectionMessageKind.HeartbeatAck, ElectionMessageKind.PreVoteReply };
                SendElection(link, new ElectionMessage(kinds[random.Next(kinds.Length)], ahead, Granted: random.Next(2) == 0));
                break;
            case 4:
                string candidate = _network.Nodes[random.Next(_network.Nodes.Count)].Id;
                SendElection(link, new ElectionMessage(ElectionMessageKind.Vote, ahead, Granted: true, candidate));
                break;
            default:
                SendElection(link, new ElectionMessage(ElectionMessageKind.SupportQuery, ahead));
                break;
        }
    }

    private void SendElection(SimConnection link, ElectionMessage message) =>
        link.TrySend(new Envelope(
            EnvelopeKind.Control, MeshNode.ControlNamespace, "election", _liar.Id, link.DeviceId, _sequence++, message.Term, 0,
            EnvelopeFlags.None, ElectionMessageCodec.Encode(message)));

    private byte[] Forged()
    {
        byte[] origin = Encoding.UTF8.GetBytes(_liar.Id);
        byte[] payload = new byte[12 + origin.Length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, 99);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(4), Attacks);
        origin.CopyTo(payload, 12);
        return payload;
    }
}
