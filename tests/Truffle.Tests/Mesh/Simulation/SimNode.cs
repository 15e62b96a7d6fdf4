using Truffle.Mesh;
using Truffle.Wire;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>
/// One simulated device: an <see cref="Election"/> on its own <see cref="NodeClock"/>, whose output goes into the
/// <see cref="SimulatedNetwork"/>, and the mesh's <see cref="Router"/> over <see cref="SimLink"/>s. It persists the
/// term as the mesh would, so a restart resumes from it; application envelopes it receives go to
/// <see cref="Received"/>.
/// </summary>
internal sealed class SimNode : IElectionOutput, IMeshReceiver
{
    private readonly SimulatedNetwork _network;
    private readonly List<(object Key, Action Run, bool Timer)> _held = [];
    private readonly Dictionary<string, SimLink> _links = new(StringComparer.Ordinal);
    private NodeClock _clock;

    public SimNode(SimulatedNetwork network, ElectionMember member, bool allowMinorityPrimary)
    {
        _network = network;
        Member = member;
        AllowMinorityPrimary = allowMinorityPrimary;
        _clock = new NodeClock(this, network.Clock);
        Election = NewElection();
        Router = NewRouter();
    }

    public ElectionMember Member { get; }

    public string Id => Member.DeviceId;

    public bool AllowMinorityPrimary { get; }

    public Election Election { get; private set; }

    /// <summary>This process's router (a restart brings a new one, as a new process would).</summary>
    public Router Router { get; private set; }

    /// <summary>Starts at 0 and counts restarts.</summary>
    public int Incarnation { get; private set; }

    /// <summary>Application envelopes the router handed up, in order, with the incarnation that received each.</summary>
    public List<(int Incarnation, Envelope Envelope)> Received { get; } = [];

    /// <summary>The term the mesh would have persisted (the last one reported).</summary>
    public ulong PersistedTerm { get; private set; }

    /// <summary>The last state reported through <see cref="IElectionOutput.StateChanged"/>.</summary>
    public ElectionState Reported { get; private set; }

    public bool Alive { get; private set; } = true;

    public bool Paused { get; private set; }

    /// <summary>Members this node has a connection with (it got <see cref="Election.MemberJoined"/> for them).</summary>
    public IReadOnlyCollection<string> Connected => _links.Keys;

    public DateTimeOffset? NextDue => Alive ? _clock.NextDue() : null;

    public bool IsPrimary => Alive && Reported.Role == MeshRole.Primary;

    public void Send(string deviceId, ElectionMessage message)
    {
        if (_links.ContainsKey(deviceId))
        {
            _network.Transmit(this, deviceId, message);
        }
    }

    public void Broadcast(ElectionMessage message)
    {
        foreach (string id in _links.Keys)
        {
            _network.Transmit(this, id, message);
        }
    }

    public bool IsConnected(string deviceId) => _links.ContainsKey(deviceId);

    /// <summary>The connection to <paramref name="peer"/>, if this node has one.</summary>
    public SimLink? LinkTo(string peer) => _links.GetValueOrDefault(peer);

    /// <summary>A new connection to <paramref name="peer"/>: the election and the router learn of it.</summary>
    public void Connect(SimNode peer)
    {
        if (_links.TryAdd(peer.Id, new SimLink(_network, this, peer)))
        {
            Router.Attach(_links[peer.Id]);
            Election.MemberJoined(peer.Member);
        }
    }

    /// <summary>The connection to <paramref name="peerId"/> is gone; false when there was none.</summary>
    public bool Disconnect(string peerId)
    {
        if (!_links.Remove(peerId, out SimLink? link))
        {
            return false;
        }

        Router.Detach(link);
        Election.MemberLost(peerId);
        return true;
    }

    public void OnEnvelope(in Envelope envelope) => Received.Add((Incarnation, envelope));

    public void StateChanged(ElectionState state)
    {
        Reported = state;
        PersistedTerm = state.Term;
        _network.History.Record(_network.Clock.GetUtcNow(), Id, state);
    }

    /// <summary>Holds a timer callback or a delivery until the node resumes (each timer once).</summary>
    public void Hold(object key, Action run, bool timer = false)
    {
        if (!_held.Exists(h => ReferenceEquals(h.Key, key)))
        {
            _held.Add((key, run, timer));
        }
    }

    public void Pause() => Paused = true;

    /// <summary>Wakes up: overdue timers first, then what arrived meanwhile, as a process thawing would.</summary>
    public void Resume()
    {
        Paused = false;
        List<(object Key, Action Run, bool Timer)> held = [.. _held.Where(h => h.Timer), .. _held.Where(h => !h.Timer)];
        _held.Clear();
        foreach ((object _, Action run, bool _) in held)
        {
            run();
        }
    }

    public void Kill()
    {
        Alive = false;
        Paused = false;
        _held.Clear();
        _links.Clear();
        Election.Dispose();
    }

    /// <summary>A new process on the same device: fresh state except the persisted term.</summary>
    public void Revive()
    {
        _clock = new NodeClock(this, _network.Clock);
        Reported = new ElectionState(MeshRole.None, null, PersistedTerm);
        Election = NewElection();
        Incarnation++;
        Router = NewRouter();
        Alive = true;
    }

    private Router NewRouter()
    {
        var router = new Router(Id, _network.Routing, Election, lastSequence: (ulong)Incarnation << 40, new TraceLogger(_network, Id));
        router.SetDefaultReceiver(this);
        return router;
    }

    private Election NewElection() =>
        new(Member, PersistedTerm, _network.Timings, AllowMinorityPrimary, _clock, new Random(_network.Random.Next()), this,
            new TraceLogger(_network, Member.DeviceId));
}
