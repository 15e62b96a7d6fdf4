using System.Buffers;
using MessagePack;
using Truffle.Sidecar;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Tests.Simulation;

/// <summary>
/// What the network does: the registry of running nodes (the peer list every sidecar reports), dials, links that go
/// down and up, and envelopes in flight on each connection (first in first out, like TCP, with the conditions' delay,
/// loss and duplication; a delay spike holds up everything behind it).
/// </summary>
internal sealed partial class SimulatedNetwork
{
    // The network nodes listed now (a running process registers its node when it starts), by node id.
    private readonly Dictionary<string, SimNode> _listed = new(StringComparer.Ordinal);
    private readonly HashSet<SimConnection> _open = [];

    /// <summary>Envelopes that arrived as route envelopes at a device (the primary relaying or delivering them).</summary>
    public int RouteEnvelopesSeen { get; private set; }

    /// <summary>What the network carried: envelopes and their encoded bytes, by sender and by kind.</summary>
    public WireTally Carried { get; } = new();

    /// <summary>Ends of connections that are open in a process that has not ended.</summary>
    public IEnumerable<SimConnection> OpenConnections => _open.Where(c => !c.IsClosed && !c.ProcessEnded);

    public bool IsUp(SimNode a, SimNode b) => !_down.Contains(Key(a.Id, b.Id));

    /// <summary>
    /// Takes the link down (envelopes on it are lost from now on) or up. Each side of a connection over a link that
    /// went down notices after a random detection time (keep-alive), unless the link is up again by then.
    /// </summary>
    public void SetLink(SimNode a, SimNode b, bool up)
    {
        (string, string) key = Key(a.Id, b.Id);
        if (up ? !_down.Remove(key) : !_down.Add(key))
        {
            return;
        }

        if (up)
        {
            return;
        }

        foreach (SimConnection connection in OpenConnections.Where(c => c.Joins(a, b)).ToList())
        {
            TimeSpan after = TimeSpan.FromTicks(Random.NextInt64(Conditions.MaxDetection.Ticks + 1));
            At(after, () =>
            {
                if (!IsUp(a, b))
                {
                    connection.Lose("keep-alive timeout: the link is down");
                }
            });
        }
    }

    /// <summary>Cuts every link between <paramref name="side"/> and the other devices.</summary>
    public void Partition(IReadOnlyCollection<SimNode> side)
    {
        foreach (SimNode a in side)
        {
            foreach (SimNode b in Nodes.Except(side))
            {
                SetLink(a, b, up: false);
            }
        }
    }

    /// <summary>Brings every link up again.</summary>
    public void Heal()
    {
        foreach (SimNode a in Nodes)
        {
            foreach (SimNode b in Nodes)
            {
                if (string.CompareOrdinal(a.Id, b.Id) < 0)
                {
                    SetLink(a, b, up: true);
                }
            }
        }
    }

    /// <summary>The peer list a node's network reports: every other listed node.</summary>
    internal IReadOnlyList<SidecarPeer> PeersOf(SimNode node) =>
        [.. _listed.Values.Where(n => n != node).Select(n => n.AsPeer())];

    /// <summary>A process's network node joins the registry; the other nodes' watches report it.</summary>
    internal void List(SimNode node)
    {
        _listed[node.NodeId] = node;
        SidecarPeer peer = node.AsPeer();
        Announce(node, new SidecarPeerChange("joined", peer.Id, peer));
    }

    /// <summary>A process's network node leaves the registry; the other nodes' watches report it.</summary>
    internal void Unlist(SimNode node)
    {
        if (_listed.Remove(node.NodeId))
        {
            Announce(node, new SidecarPeerChange("left", node.NodeId, null));
        }
    }

    /// <summary>Opens a connection from <paramref name="from"/> to a listed node after a network delay, or fails.</summary>
    internal Task<IPeerConnection> Dial(
        SimNode from, SimPeerNetwork network, SidecarPeer peer, Hello hello, HelloAdmission admit, CancellationToken cancellationToken)
    {
        CheckThread("dial");
        var result = new TaskCompletionSource<IPeerConnection>(); // continuations run inline, on the simulation's thread
        CancellationTokenRegistration registration = cancellationToken.Register(() => result.TrySetCanceled(cancellationToken));
        At(Delay(), () =>
        {
            registration.Dispose();
            CompleteDial(from, network, peer, hello, admit, result);
        });
        return result.Task;
    }

    /// <summary>Hands an envelope to the network: it arrives at the other end of <paramref name="connection"/>, or is lost.</summary>
    internal void Carry(SimConnection connection, in Envelope envelope)
    {
        CheckThread("send");
        SimNode from = connection.Owner, to = connection.RemoteNode;
        if (!IsUp(from, to) || Random.NextDouble() < Conditions.Loss || Tap?.Invoke(from, to, envelope) == false)
        {
            return;
        }

        // Through the wire format, as a real connection would: the receiver decodes what the sender encoded.
        var buffer = new ArrayBufferWriter<byte>(64 + envelope.Payload.Length);
        EnvelopeCodec.Write(buffer, envelope);
        byte[] bytes = buffer.WrittenSpan.ToArray();
        Carried.Add(from, envelope, bytes.Length);
        long at = Math.Max((Now + Delay()).UtcTicks, connection.LastArrival);
        connection.LastArrival = at;
        int copies = Random.NextDouble() < Conditions.Duplication ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            _events.Enqueue(() => Arrive(connection, bytes), (at, _sequence++));
        }
    }

    /// <summary>Closes the other end of <paramref name="connection"/> after a network delay, behind what is in flight.</summary>
    internal void CarryClose(SimConnection connection, int? code, string reason)
    {
        long at = Math.Max((Now + Delay()).UtcTicks, connection.LastArrival);
        _events.Enqueue(() => connection.Other.OnPeer(() => connection.Other.CloseFromPeer(code, reason)), (at, _sequence++));
    }

    /// <summary>Closes the other end of a lost end with a reset as soon as the link between them is up again.</summary>
    internal void ResetWhenReachable(SimConnection lost)
    {
        SimConnection other = lost.Other;
        if (other.IsClosed || other.ProcessEnded)
        {
            return;
        }

        if (IsUp(lost.Owner, lost.RemoteNode))
        {
            CarryClose(lost, null, "connection reset");
        }
        else
        {
            At(TimeSpan.FromTicks(Random.NextInt64(Conditions.MaxDetection.Ticks + 1)) + Conditions.MinDelay, () => ResetWhenReachable(lost));
        }
    }

    internal void Opened(SimConnection connection) => _open.Add(connection);

    internal void Closed(SimConnection connection)
    {
        if (connection.IsClosed && connection.Other.IsClosed)
        {
            _open.Remove(connection);
            _open.Remove(connection.Other);
        }
    }

    private void Arrive(SimConnection connection, byte[] bytes)
    {
        SimConnection target = connection.Other;
        var reader = new MessagePackReader(bytes);
        if (EnvelopeCodec.TryRead(ref reader, EnvelopeLimits.Default, null, out Envelope envelope, out _) != EnvelopeReadStatus.Ok)
        {
            throw new InvalidOperationException($"seed {Seed}: an envelope did not decode after {connection.Owner.Id} encoded it");
        }

        if (envelope.Kind == EnvelopeKind.Route)
        {
            RouteEnvelopesSeen++;
        }

        target.OnPeer(() => target.Receive(envelope));
    }

    private void CompleteDial(
        SimNode from, SimPeerNetwork network, SidecarPeer peer, Hello hello, HelloAdmission admit, TaskCompletionSource<IPeerConnection> result)
    {
        if (result.Task.IsCompleted || network.Ended)
        {
            return;
        }

        if (!_listed.TryGetValue(peer.Id, out SimNode? target) || !IsUp(from, target) || target.Network is not { Accepting: true } accepting
            || network.Restarting)
        {
            result.TrySetException(new SidecarException("DIAL_ERROR", $"dial {peer.Hostname}: no route to host"));
            return;
        }

        if (target.Paused)
        {
            // The accepting process is frozen: the handshake waits for it.
            target.Hold(new object(), () => CompleteDial(from, network, peer, hello, admit, result));
            return;
        }

        // Each side's mesh judges the other's hello, the accepting side first, as the real exchange does.
        if ((accepting.Admit?.Invoke(hello) ?? admit(accepting.Hello!)) is { } refusal)
        {
            result.TrySetException(new HandshakeException(CloseCodes.IdentityMismatch, $"Connection refused ({CloseCodes.IdentityMismatch}): {refusal}."));
            return;
        }

        (SimConnection client, SimConnection server) = SimConnection.Pair(this, from, hello, target, accepting.Hello!);
        accepting.Accept(server);
        result.TrySetResult(client);
    }

    /// <summary>Reports a change to every watching node, each in the order the changes happened (one event stream per sidecar).</summary>
    private void Announce(SimNode about, SidecarPeerChange change)
    {
        foreach (SimNode node in Nodes.Where(n => n != about && n.Network is { Watching: true }))
        {
            SimPeerNetwork network = node.Network!;
            long at = Math.Max((Now + Delay()).UtcTicks, network.LastAnnouncement);
            network.LastAnnouncement = at;
            _events.Enqueue(() => node.OnNode(() => network.Announce(change)), (at, _sequence++));
        }
    }

    private static (string, string) Key(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
}
