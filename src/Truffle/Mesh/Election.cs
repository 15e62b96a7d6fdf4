using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>
/// The fenced, rank-based election of SPEC §5 as a deterministic state machine: the best-ranked live node becomes
/// primary, but only after the old primary's lease ran out and the live members agreed (pre-vote), and only in a
/// new term, so a mesh never has two primaries in one term and a better node that rejoins does not take over.
/// </summary>
/// <remarks>
/// Every input is a method call (connections, messages) or a timer of the injected <see cref="TimeProvider"/>;
/// every output goes to <see cref="IElectionOutput"/>. Methods are thread-safe behind one lock; the output's
/// <c>Send</c> and <c>Broadcast</c> run under it, <c>StateChanged</c> runs after it, in order.
/// </remarks>
internal sealed partial class Election : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ElectionMember _self;
    private readonly ElectionTimings _timings;
    private readonly bool _allowMinorityPrimary;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly IElectionOutput _output;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly bool _observer;
    private readonly long _origin;
    private ITimer? _electionTimer;
    private readonly ITimer _heartbeatTimer;

    // The last agreed membership (without this node): members stay in it while disconnected, because a member we
    // cannot reach may be on the other side of a partition and still counts against a majority.
    private readonly Dictionary<string, ElectionMember> _view = new(StringComparer.Ordinal);
    private readonly HashSet<string> _connected = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _lastHeard = new(StringComparer.Ordinal);
    private readonly HashSet<string> _grants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Support> _support = new(StringComparer.Ordinal);
    private readonly List<TimeSpan> _scratch = [];

    // Phases and timers (Election.Phases.cs).
    private Phase _phase = Phase.Following;
    private bool _started;
    private ulong _term;
    private string? _leaderId;
    private TimeSpan _leaseUntil;
    private TimeSpan _quietUntil;
    private TimeSpan _rankWaitUntil;
    private TimeSpan _roundUntil;
    private TimeSpan _leaderSince;
    private TimeSpan _armedFor = TimeSpan.MaxValue;
    private ulong _proposal;
    private ulong _proposalFloor;
    private TimeSpan _reelectAfter;
    private ulong _heldTerm;
    private string? _silentPrimary;
    private TimeSpan? _leaderlessSince;

    // Evidence (Election.Evidence.cs): a primary heard but not yet believed, when this node may ask again, and the
    // membership size at which the current primary was last checked (a grown membership checks it again).
    private Pending? _pending;
    private TimeSpan _queryAfter;
    private int _validatedMembers;

    // In memory only: a node that restarts in the middle of a pre-vote round could grant that term twice.
    private ulong _votedTerm;
    private string? _votedFor;

    // Published state (Election.State.cs).
    private readonly Queue<ElectionState> _pendingStates = new();
    private ElectionState _published;
    private Snapshot _snapshot;
    private bool _draining;

    /// <summary>Creates the election of one node; nothing happens until <see cref="Start"/>.</summary>
    /// <param name="self">This node's rank.</param>
    /// <param name="term">The persisted term (never decreases; persist <see cref="ElectionState.Term"/> on change).</param>
    /// <param name="timings">Heartbeat, lease and wait durations.</param>
    /// <param name="allowMinorityPrimary">Keep (or elect) a primary without a majority of three or more members.</param>
    /// <param name="timeProvider">The monotonic clock and timers.</param>
    /// <param name="random">The source of the election jitter (seeded in tests).</param>
    /// <param name="output">Where messages and state changes go.</param>
    /// <param name="logger">Where decisions are logged.</param>
    /// <param name="observer">
    /// This node only watches: it follows the primary it learns of, but never runs, never grants a vote, and no
    /// member counts it (see <see cref="ObserverJoined"/>).
    /// </param>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter (the process-wide ones when null).</param>
    public Election(ElectionMember self, ulong term, ElectionTimings timings, bool allowMinorityPrimary,
        TimeProvider timeProvider, Random random, IElectionOutput output, ILogger? logger = null, bool observer = false, TruffleMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(self.DeviceId);
        ArgumentNullException.ThrowIfNull(timings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(output);
        _self = self;
        _term = term;
        _metrics = metrics ?? TruffleMetrics.Shared;
        _timings = timings;
        _allowMinorityPrimary = allowMinorityPrimary;
        _time = timeProvider;
        _random = random;
        _output = output;
        _logger = logger ?? NullLogger.Instance;
        _observer = observer;
        _origin = timeProvider.GetTimestamp();
        _published = new ElectionState(MeshRole.None, null, term);
        _snapshot = new Snapshot(_published);
        _heartbeatTimer = timeProvider.CreateTimer(static s => ((Election)s!).OnHeartbeatTimer(), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>This node's role, the primary it knows and the current term.</summary>
    public ElectionState State
    {
        get
        {
            lock (_gate)
            {
                return CurrentState();
            }
        }
    }

    /// <summary>
    /// How many devices the last agreed membership holds, this one included. With three or more, becoming primary
    /// takes a majority of them; with fewer, every reachable one.
    /// </summary>
    public int MembershipSize
    {
        get
        {
            lock (_gate)
            {
                return _view.Count + 1;
            }
        }
    }

    /// <summary>
    /// <see cref="State"/> as of the last change this election published (the one <see cref="IElectionOutput.StateChanged"/>
    /// reports), read without the lock: the router reads it for every envelope.
    /// </summary>
    public ElectionState Published => Volatile.Read(ref _snapshot).State;

    /// <summary>The current term, read without the lock: the router checks every envelope's term against it.</summary>
    public ulong Term => Volatile.Read(ref _term);

    /// <summary>
    /// Starts the election. Without peers (discovery found none of this app) the node is primary at once, in a new
    /// term; with peers it waits <see cref="ElectionTimings.JoinWindow"/> for a heartbeat before it may run.
    /// </summary>
    public void Start(bool peersExpected)
    {
        lock (_gate)
        {
            if (_started || _phase == Phase.Stopped)
            {
                return;
            }

            _started = true;
            TimeSpan now = Now;
            if (!peersExpected && !HasValidLeader(now) && !_observer)
            {
                BecomePrimary(NextTerm(), now);
            }
            else
            {
                _phase = Phase.Following;
                _quietUntil = now + _timings.JoinWindow;
            }

            Settle();
        }

        DrainStateChanges();
    }

    /// <summary>A connection with <paramref name="member"/> is up (hello done): it joins the view and is live.</summary>
    public void MemberJoined(ElectionMember member)
    {
        ArgumentNullException.ThrowIfNull(member.DeviceId);
        lock (_gate)
        {
            if (_phase == Phase.Stopped || member.DeviceId == _self.DeviceId)
            {
                return;
            }

            _view[member.DeviceId] = member;
            _connected.Add(member.DeviceId);
            _lastHeard[member.DeviceId] = Now;
            if (_phase == Phase.Leading)
            {
                // A newcomer learns the primary now rather than after its join window.
                _output.Send(member.DeviceId, new ElectionMessage(ElectionMessageKind.Heartbeat, _term));
            }

            Settle();
        }

        DrainStateChanges();
    }

    /// <summary>
    /// An observer connected: it is not a member (never in the view, never counted), but a primary tells it at once
    /// who leads, as it tells a new member.
    /// </summary>
    public void ObserverJoined(string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        lock (_gate)
        {
            if (_phase == Phase.Leading)
            {
                _output.Send(deviceId, new ElectionMessage(ElectionMessageKind.Heartbeat, _term));
            }
        }
    }

    /// <summary>
    /// The connection with a member dropped. It stays in the view (it may be across a partition) but is no longer
    /// live for ranking, and a pre-vote no longer waits for it when the view has fewer than three members.
    /// </summary>
    public void MemberLost(string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        lock (_gate)
        {
            if (_phase == Phase.Stopped || !_connected.Remove(deviceId))
            {
                return;
            }

            TryClaim(Now);
            Settle();
        }

        DrainStateChanges();
    }

    /// <summary>The member is gone (goodbye, or discovery lost it): it leaves the view.</summary>
    public void MemberLeft(string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        lock (_gate)
        {
            if (_phase == Phase.Stopped || !_view.Remove(deviceId))
            {
                return;
            }

            _connected.Remove(deviceId);
            _lastHeard.Remove(deviceId);
            _grants.Remove(deviceId);
            _support.Remove(deviceId);
            TimeSpan now = Now;
            if (_leaderId == deviceId)
            {
                // The primary said goodbye: no point in waiting for its lease.
                _leaderId = null;
                EnterRankWait(now);
            }

            TryClaim(now);
            Settle();
        }

        DrainStateChanges();
    }

    /// <summary>An election message from a connected member.</summary>
    public void Receive(string from, ElectionMessage message)
    {
        ArgumentNullException.ThrowIfNull(from);
        lock (_gate)
        {
            // Only members take part: an observer (or anyone the view does not hold) cannot lead, vote or fence. It
            // may only ask whom the members support, to know which primary to believe.
            if (_phase == Phase.Stopped || from == _self.DeviceId || !_view.ContainsKey(from))
            {
                if (_phase != Phase.Stopped && message.Kind == ElectionMessageKind.SupportQuery)
                {
                    OnSupportQuery(from);
                }

                return;
            }

            TimeSpan now = Now;
            MarkHeard(from, now);
            Dispatch(from, message, now);
            Settle();
        }

        DrainStateChanges();
    }

    /// <summary>
    /// The term carried by any other envelope from <paramref name="from"/> (not by election messages, which go to
    /// <see cref="Receive"/>): a higher term makes this node ask the members whom they support, never adopt it on one
    /// member's word.
    /// </summary>
    public void ObserveTerm(string from, ulong term)
    {
        ArgumentNullException.ThrowIfNull(from);
        lock (_gate)
        {
            if (_phase == Phase.Stopped || from == _self.DeviceId || !_view.ContainsKey(from))
            {
                return;
            }

            TimeSpan now = Now;
            MarkHeard(from, now);
            Hint(term, now);
            Settle();
        }

        DrainStateChanges();
    }

    /// <summary>Graceful stop: a primary tells everyone it steps down; afterwards this node never runs again.</summary>
    public void Resign()
    {
        lock (_gate)
        {
            if (_phase == Phase.Stopped)
            {
                return;
            }

            if (_phase == Phase.Leading)
            {
                LeavePrimary("resigned", broadcast: true);
            }

            ElectionLog.Resigned(_logger, _term);
            _leaderId = null;
            Stop();
            Settle();
        }

        DrainStateChanges();
    }

    /// <summary>Stops the timers; the node no longer takes part (no goodbye: see <see cref="Resign"/>).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            Stop();
        }

        _heartbeatTimer.Dispose();
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    private void Stop()
    {
        _phase = Phase.Stopped;
        _electionTimer?.Dispose();
        _electionTimer = null;
        _heartbeatTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void MarkHeard(string from, TimeSpan now)
    {
        if (_view.ContainsKey(from))
        {
            _lastHeard[from] = now;
        }

        if (from == _silentPrimary && _leaderId is null)
        {
            // It speaks again (it woke up): live once more, and the best-ranked node runs as usual.
            _silentPrimary = null;
        }
    }
}
