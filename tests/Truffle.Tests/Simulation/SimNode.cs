using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Mesh;
using Truffle.Sidecar;
using Truffle.Sync;

namespace Truffle.Tests.Simulation;

/// <summary>
/// One simulated device. While it runs, a process of it holds the production <see cref="MeshNode"/> over a
/// <see cref="SimPeerNetwork"/>, the <see cref="MessageBus"/> and the <see cref="SyncEngine"/> on the mesh, all on a
/// <see cref="NodeClock"/>; a restart is a new process with the next incarnation and the persisted term. What the
/// bus delivers on the traffic namespace is recorded in <see cref="Received"/>.
/// </summary>
internal sealed class SimNode
{
    private readonly SimulatedNetwork _network;
    private readonly List<(object Key, Action Run, bool Timer)> _held = [];
    private readonly SimDeviceStore _store;
    private NodeClock? _clock;
    private ElectionState _lastState;
    private Counts _counts = new();

    public SimNode(SimulatedNetwork network, ElectionMember member, bool allowMinorityPrimary, bool observer = false)
    {
        _network = network;
        Member = member;
        AllowMinorityPrimary = allowMinorityPrimary;
        Observer = observer;
        _store = new SimDeviceStore(member.DeviceId);
    }

    public ElectionMember Member { get; }

    public string Id => Member.DeviceId;

    public bool AllowMinorityPrimary { get; }

    /// <summary>Joins as an observer (<see cref="TruffleOptions.Observer"/>).</summary>
    public bool Observer { get; }

    /// <summary>Its network node id: stable across restarts, as a tailnet node keeps its identity.</summary>
    public string NodeId => "ts-" + Id;

    public string Hostname => $"{SimulatedNetwork.AppId}-sim-{Id}";

    /// <summary>The running process's incarnation (1 for the first process).</summary>
    public int Incarnation => (int)_store.Incarnation;

    /// <summary>The term the device has persisted.</summary>
    public ulong PersistedTerm => _store.Term;

    public SimPeerNetwork? Network { get; private set; }

    public MeshNode Mesh { get; private set; } = null!;

    public MessageBus Bus { get; private set; } = null!;

    public SyncEngine Sync { get; private set; } = null!;

    public bool Alive { get; private set; }

    /// <summary>When the running process (or the last one) started.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    public bool Paused { get; private set; }

    /// <summary>This device's sync settings (a state directory of its own, ...); the network's when null.</summary>
    public SyncOptions? SyncOptions { get; set; }

    /// <summary>Runs after every start of a process, before the mesh starts (to open stores, subscribe, ...).</summary>
    public Action<SimNode>? OnStart { get; set; }

    /// <summary>Messages of the traffic namespace the bus handed to its handler, with the incarnation that received each.</summary>
    public ConcurrentQueue<(int Incarnation, InboundMessage Message)> Received { get; } = new();

    /// <summary>The running process's role, primary and term; the last ones it had while it is down.</summary>
    public ElectionState Reported => Alive ? Mesh.State : _lastState;

    public bool IsPrimary => Alive && Reported.Role == MeshRole.Primary;

    /// <summary>The devices the running process has a connection to.</summary>
    public IEnumerable<string> ConnectedPeers =>
        Alive ? Mesh.Devices.Where(d => d.IsOnline).Select(d => d.Id).Order(StringComparer.Ordinal) : [];

    /// <summary>Messages of the traffic namespace the running process's mesh handed to its bus.</summary>
    public long Delivered => Alive ? _counts.DeliveredCount : 0;

    public DateTimeOffset? NextDue => Alive ? _clock!.NextDue() : null;

    /// <summary>The running process's timers due by <paramref name="time"/>, for a failure message.</summary>
    public string TimersDueBy(DateTimeOffset time) => Alive ? _clock!.DueBy(time) : "";

    /// <summary>The running process's store of <typeparamref name="T"/>.</summary>
    public SyncedStore<T> Store<T>()
        where T : class, ISyncedSlice<T> => Sync.Store<T>();

    public bool IsConnected(string deviceId) => Alive && Mesh.Devices.Any(d => d.Id == deviceId && d.IsOnline);

    /// <summary>
    /// True when the running process's bus handler has taken everything its mesh delivered on the traffic namespace
    /// (always true while the device is down: a dead process's queue is lost with it).
    /// </summary>
    public bool DeliveriesHandled => !Alive || _counts.AllHandled;

    /// <summary>Starts a process: a new incarnation with the persisted term, registered on the network, mesh started.</summary>
    public void Start() => SimulatedNetwork.Inline(StartProcess);

    private void StartProcess()
    {
        if (Alive)
        {
            throw new InvalidOperationException($"{Id} is running.");
        }

        _store.NewIncarnation();
        StartedAt = _network.Now;
        _clock = new NodeClock(this, _network.Clock, _network.TimerScheduled);
        _held.Clear();
        Paused = false;
        Network = new SimPeerNetwork(_network, this);
        ILoggerFactory logging = _network.Trace is null ? NullLoggerFactory.Instance : new TraceLoggerFactory(_network, Id);
        var options = new MeshOptions
        {
            AppId = SimulatedNetwork.AppId,
            DeviceName = Id,
            DeviceType = "sim",
            PreferPrimary = Member.PreferPrimary,
            Priority = Member.Priority,
            Routing = _network.Routing,
            AllowMinorityPrimary = AllowMinorityPrimary,
            Observer = Observer,
            Election = _network.Timings,
            Transport = _network.Transport,
        };
        Mesh = new MeshNode(Network, options, _store, logging, _clock, new Random(_network.Random.Next()));
        MeshNode mesh = Mesh;
        mesh.RoleChanged += (_, change) => _network.History.Record(_network.Now, Id, new ElectionState(change.Role, change.PrimaryId, change.Term), mesh.MembershipSize);
        Counts counts = _counts = new Counts();
        Bus = new MessageBus(new CountingEndpoint(Mesh, Traffic.Namespace, counts.Delivered), _clock, logging);
        int incarnation = Incarnation;
        Bus.Subscribe(Traffic.Namespace, null, (message, _) =>
        {
            Received.Enqueue((incarnation, message with { Payload = message.Payload.ToArray() }));
            counts.Handled();
            return ValueTask.CompletedTask;
        }, new SubscriptionOptions { Capacity = 1 << 20 });
        var adapter = new StoreSyncAdapter(Mesh);
        Sync = new SyncEngine(Id, _store.Incarnation, adapter, _clock, SyncOptions ?? _network.Sync, logging.CreateLogger<SyncEngine>());
        adapter.Attach(Sync);
        Alive = true;
        OnStart?.Invoke(this);
        _network.List(this);
        Task started = Mesh.StartAsync(CancellationToken.None);
        if (!started.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException($"seed {_network.Seed}: {Id}'s mesh did not start inline: {started.Status}", started.Exception);
        }
    }

    /// <summary>
    /// Stops the process gracefully, as disposing a node does: sync goodbye, mesh goodbye and close, bus stopped. What
    /// is still running afterwards (a timer, an open connection) is recorded in <paramref name="leftovers"/>.
    /// </summary>
    public void Stop(List<string>? leftovers = null) => SimulatedNetwork.Inline(() => StopProcess(leftovers));

    private void StopProcess(List<string>? leftovers)
    {
        if (!Alive)
        {
            return;
        }

        Task stopping = StopMeshAsync();
        if (!stopping.IsCompletedSuccessfully)
        {
            leftovers?.Add($"{Id}: stopping the mesh did not finish inline ({stopping.Status})");
        }

        if (_clock!.LiveTimers > 0)
        {
            leftovers?.Add($"{Id}: {_clock.LiveTimers} timer(s) left running after the stop");
        }

        foreach (SimConnection connection in _network.OpenConnections.Where(c => c.Owner == this))
        {
            leftovers?.Add($"{Id}: the connection to {connection.DeviceId} is still open after the stop");
        }

        End();
        if (!Bus.DisposeAsync().AsTask().Wait(Support.Test.Timeout))
        {
            leftovers?.Add($"{Id}: the bus's handlers did not stop");
        }
    }

    /// <summary>The process dies at once: no goodbye, no close; peers see their connections reset.</summary>
    public void Kill() => SimulatedNetwork.Inline(KillProcess);

    private void KillProcess()
    {
        if (!Alive)
        {
            return;
        }

        foreach (SimConnection connection in _network.OpenConnections.Where(c => c.Owner == this).ToList())
        {
            connection.Abandon();
        }

        End();

        // Not part of the simulation: the dead process's bus would not run, so its handler pumps stop here.
        Sync.Dispose();
        _ = Bus.DisposeAsync().AsTask();
    }

    /// <summary>
    /// The process's sidecar dies and comes back <paramref name="downtime"/> later: every connection it carried is
    /// reset, the node leaves the peer list and returns, and the mesh is told it restarted.
    /// </summary>
    public void LoseSidecar(TimeSpan downtime) => SimulatedNetwork.Inline(() => LoseSidecarNow(downtime));

    private void LoseSidecarNow(TimeSpan downtime)
    {
        if (!Alive || Network!.Restarting)
        {
            return;
        }

        SimPeerNetwork network = Network;
        network.Restarting = true;
        foreach (SimConnection connection in _network.OpenConnections.Where(c => c.Owner == this).ToList())
        {
            connection.DisposeAsync().AsTask().GetAwaiter().GetResult(); // completes inline
        }

        _network.Unlist(this);
        _network.At(downtime, () =>
        {
            if (!network.Ended)
            {
                _network.List(this);
                OnNode(network.RaiseRestarted);
            }
        });
    }

    public void Pause() => Paused = true;

    /// <summary>Wakes up: overdue timers first, then what arrived meanwhile, as a process thawing would.</summary>
    public void Resume() => SimulatedNetwork.Inline(ResumeNow);

    private void ResumeNow()
    {
        Paused = false;
        List<(object Key, Action Run, bool Timer)> held = [.. _held.Where(h => h.Timer), .. _held.Where(h => !h.Timer)];
        _held.Clear();
        foreach ((object _, Action run, bool _) in held)
        {
            run();
        }
    }

    /// <summary>Holds a timer callback or an arrival until the process resumes (each timer once).</summary>
    public void Hold(object key, Action run, bool timer = false)
    {
        if (!_held.Exists(h => ReferenceEquals(h.Key, key)))
        {
            _held.Add((key, run, timer));
        }
    }

    /// <summary>Runs <paramref name="action"/> in the running process: now, when it resumes, or never when it is down.</summary>
    public void OnNode(Action action)
    {
        if (!Alive)
        {
            return;
        }

        if (Paused)
        {
            Hold(new object(), action);
        }
        else
        {
            action();
        }
    }

    /// <summary>This device as a peer list entry.</summary>
    public SidecarPeer AsPeer() => new(NodeId, Hostname, Hostname, [], Online: true, "sim");

    /// <summary>One process's traffic messages: delivered to its bus, and taken by its handler.</summary>
    private sealed class Counts
    {
        private long _delivered;
        private long _handled;

        public long DeliveredCount => Interlocked.Read(ref _delivered);

        public bool AllHandled => Interlocked.Read(ref _handled) == Interlocked.Read(ref _delivered);

        public void Delivered() => Interlocked.Increment(ref _delivered);

        public void Handled() => Interlocked.Increment(ref _handled);
    }

    private async Task StopMeshAsync()
    {
        await Sync.StopAsync();
        await Mesh.DisposeAsync();
    }

    private void End()
    {
        _lastState = Mesh.State;
        Alive = false;
        Paused = false;
        _held.Clear();
        Network!.Ended = true;
        _clock!.End();
        _network.Unlist(this);
    }
}
