using Truffle.Mesh;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>
/// One simulated device: an <see cref="Election"/> on its own <see cref="NodeClock"/>, whose output goes into the
/// <see cref="SimulatedNetwork"/>. It persists the term as the mesh would, so a restart resumes from it.
/// </summary>
internal sealed class SimNode : IElectionOutput
{
    private readonly SimulatedNetwork _network;
    private readonly List<(object Key, Action Run, bool Timer)> _held = [];
    private NodeClock _clock;

    public SimNode(SimulatedNetwork network, ElectionMember member, bool allowMinorityPrimary)
    {
        _network = network;
        Member = member;
        AllowMinorityPrimary = allowMinorityPrimary;
        _clock = new NodeClock(this, network.Clock);
        Election = NewElection();
    }

    public ElectionMember Member { get; }

    public string Id => Member.DeviceId;

    public bool AllowMinorityPrimary { get; }

    public Election Election { get; private set; }

    /// <summary>The term the mesh would have persisted (the last one reported).</summary>
    public ulong PersistedTerm { get; private set; }

    /// <summary>The last state reported through <see cref="IElectionOutput.StateChanged"/>.</summary>
    public ElectionState Reported { get; private set; }

    public bool Alive { get; private set; } = true;

    public bool Paused { get; private set; }

    /// <summary>Members this node has a connection with (it got <see cref="Election.MemberJoined"/> for them).</summary>
    public HashSet<string> Connected { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset? NextDue => Alive ? _clock.NextDue() : null;

    public bool IsPrimary => Alive && Reported.Role == MeshRole.Primary;

    public void Send(string deviceId, ElectionMessage message)
    {
        if (Connected.Contains(deviceId))
        {
            _network.Transmit(this, deviceId, message);
        }
    }

    public void Broadcast(ElectionMessage message)
    {
        foreach (string id in Connected)
        {
            _network.Transmit(this, id, message);
        }
    }

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
        Connected.Clear();
        Election.Dispose();
    }

    /// <summary>A new process on the same device: fresh state except the persisted term.</summary>
    public void Revive()
    {
        _clock = new NodeClock(this, _network.Clock);
        Reported = new ElectionState(MeshRole.None, null, PersistedTerm);
        Election = NewElection();
        Alive = true;
    }

    private Election NewElection() =>
        new(Member, PersistedTerm, _network.Timings, AllowMinorityPrimary, _clock, new Random(_network.Random.Next()), this,
            new TraceLogger(_network, Member.DeviceId));
}
