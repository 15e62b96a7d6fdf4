namespace Truffle.Mesh;

/// <summary>The election's phases and the timers that move it between them.</summary>
internal sealed partial class Election
{
    private enum Phase
    {
        /// <summary>Waiting for the primary's lease (or the join window, or a quiet period) to run out.</summary>
        Following,

        /// <summary>No primary: waiting rankPosition × RankStep + jitter, so the best node asks first.</summary>
        RankWait,

        /// <summary>Asked the live members for pre-votes; waiting for enough grants or the timeout.</summary>
        PreVoting,

        /// <summary>Primary: heartbeats every interval and watches its quorum.</summary>
        Leading,

        /// <summary>Resigned or disposed.</summary>
        Stopped,
    }

    private void OnElectionTimer()
    {
        lock (_gate)
        {
            _armedFor = TimeSpan.MaxValue;
            if (!_started || _phase == Phase.Stopped)
            {
                return;
            }

            TimeSpan now = Now;
            if (Deadline() is { } deadline && now >= deadline)
            {
                OnDeadline(now);
            }

            Settle();
        }

        DrainStateChanges();
    }

    private void OnHeartbeatTimer()
    {
        lock (_gate)
        {
            if (_phase != Phase.Leading)
            {
                return;
            }

            // Check before beating: a primary that wakes from a pause must not send one more heartbeat.
            TimeSpan now = Now;
            if (QuorumDeadline() is { } deadline && now >= deadline)
            {
                OnDeadline(now);
            }
            else if (!StandDownIfUnsupported(now))
            {
                Reelect(now);
                _output.Broadcast(new ElectionMessage(ElectionMessageKind.Heartbeat, _term));
            }

            Settle();
        }

        DrainStateChanges();
    }

    private TimeSpan? Deadline() => _phase switch
    {
        Phase.Following => _leaseUntil > _quietUntil ? _leaseUntil : _quietUntil,
        Phase.RankWait => _rankWaitUntil,
        Phase.PreVoting => _roundUntil,
        Phase.Leading => QuorumDeadline(),
        _ => null,
    };

    private void OnDeadline(TimeSpan now)
    {
        switch (_phase)
        {
            case Phase.Following:
                if (_leaderId is not null)
                {
                    // A primary that is silent but still connected (a paused or hung process) must not count as a
                    // live, better-ranked member: it would block every other candidate.
                    ElectionLog.LeaseExpired(_logger, _leaderId, _term);
                    _silentPrimary = _leaderId;
                    _leaderId = null;
                }

                EnterRankWait(now);
                break;
            case Phase.RankWait:
                StartPreVote(now);
                break;
            case Phase.PreVoting:
                ElectionLog.PreVoteFailed(_logger, _proposal, _grants.Count + 1, _view.Count + 1);
                EnterRankWait(now);
                break;
            case Phase.Leading:
                LeavePrimary("heard from less than half of the members for a lease", broadcast: true);
                EnterRankWait(now);
                break;
        }
    }

    private void EnterRankWait(TimeSpan now)
    {
        if (_observer)
        {
            // An observer never runs: it waits for a primary to make itself known.
            _phase = Phase.Following;
            _quietUntil = now + _timings.Lease;
            return;
        }

        _phase = Phase.RankWait;
        long jitter = _random.NextInt64(_timings.MaxJitter.Ticks + 1);
        _rankWaitUntil = now + (_timings.RankStep * RankPosition()) + TimeSpan.FromTicks(jitter);
    }

    private void WaitForPrimary(TimeSpan now)
    {
        // A newer term has a primary somewhere; give its heartbeat a lease to arrive before running.
        _phase = Phase.Following;
        _quietUntil = now + _timings.Lease;
    }

    private int RankPosition()
    {
        int position = 0;
        foreach (string id in _connected)
        {
            if (id != _silentPrimary && _view[id].CompareTo(_self) < 0)
            {
                position++;
            }
        }

        return position;
    }

    private void StartPreVote(TimeSpan now)
    {
        if (BackPendingClaim(now))
        {
            return;
        }

        _proposal = NextTerm();
        _votedTerm = _proposal;
        _votedFor = _self.DeviceId;
        _grants.Clear();
        _phase = Phase.PreVoting;
        _roundUntil = now + _timings.PreVoteTimeout;
        int rankPosition = RankPosition();
        ElectionLog.PreVoteStarted(_logger, _proposal, rankPosition);
        if (!TryClaim(now))
        {
            _output.Broadcast(new ElectionMessage(ElectionMessageKind.PreVote, _proposal));
        }
    }

    // Each round asks for a term nobody has voted in yet, so a split round cannot block the next one.
    private ulong NextTerm() => Math.Max(Math.Max(_term, _votedTerm), _proposalFloor) + 1;

    private bool TryClaim(TimeSpan now)
    {
        if (!IsCollectingVotes || !HasClaimQuorum())
        {
            return false;
        }

        BecomePrimary(_proposal, now);
        return true;
    }

    private bool HasClaimQuorum()
    {
        int viewSize = _view.Count + 1;
        if (viewSize >= 3)
        {
            return (1 + _grants.Count) * 2 > viewSize;
        }

        // With one other member a majority is impossible: every reachable member must agree.
        foreach (string id in _connected)
        {
            if (id != _silentPrimary && !_grants.Contains(id))
            {
                return false;
            }
        }

        return true;
    }

    private void BecomePrimary(ulong term, TimeSpan now)
    {
        SetTerm(term);
        _votedTerm = term;
        _votedFor = _self.DeviceId;
        _leaderId = _self.DeviceId;
        _phase = Phase.Leading;
        _leaderSince = now;
        foreach (string id in _grants)
        {
            _lastHeard[id] = now;
            _support[id] = new Support(term, _self.DeviceId);
        }

        ElectionLog.BecamePrimary(_logger, term);
        _output.Broadcast(new ElectionMessage(ElectionMessageKind.Claim, term));
        _heartbeatTimer.Change(_timings.HeartbeatInterval, _timings.HeartbeatInterval);
    }

    private void LeavePrimary(string reason, bool broadcast)
    {
        ElectionLog.SteppedDown(_logger, _term, reason);
        _heartbeatTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (broadcast)
        {
            _output.Broadcast(new ElectionMessage(ElectionMessageKind.StepDown, _term));
        }

        _leaderId = null;
        _phase = Phase.Following;
    }

    private bool HasValidLeader(TimeSpan now) =>
        _leaderId is not null && (_phase == Phase.Leading || now < _leaseUntil);

    /// <summary>When a primary of three or more has heard from fewer than half of them for a lease; null if never.</summary>
    private TimeSpan? QuorumDeadline()
    {
        int viewSize = _view.Count + 1;
        if (viewSize < 3 || _allowMinorityPrimary)
        {
            return null;
        }

        int needed = viewSize / 2;
        _scratch.Clear();
        foreach (string id in _view.Keys)
        {
            if (_lastHeard.TryGetValue(id, out TimeSpan heard))
            {
                _scratch.Add(heard);
            }
        }

        TimeSpan grace = _leaderSince + _timings.Lease;
        if (_scratch.Count < needed)
        {
            return grace;
        }

        _scratch.Sort();
        TimeSpan quorumUntil = _scratch[^needed] + _timings.Lease;
        return quorumUntil > grace ? quorumUntil : grace;
    }
}
