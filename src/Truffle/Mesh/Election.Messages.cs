namespace Truffle.Mesh;

/// <summary>How the election answers each message (the rules of SPEC §5).</summary>
internal sealed partial class Election
{
    private void Dispatch(string from, ElectionMessage message, TimeSpan now)
    {
        switch (message.Kind)
        {
            case ElectionMessageKind.Heartbeat:
            case ElectionMessageKind.Claim:
                OnPrimaryMessage(from, message, now);
                break;
            case ElectionMessageKind.PreVote:
                OnPreVote(from, message.Term, now);
                break;
            case ElectionMessageKind.PreVoteReply:
                OnPreVoteReply(from, message, now);
                break;
            case ElectionMessageKind.Reject:
                OnReject(from, message, now);
                break;
            case ElectionMessageKind.StepDown:
                OnStepDown(from, message.Term, now);
                break;
            case ElectionMessageKind.Vote:
                OnVote(from, message, now);
                break;
            case ElectionMessageKind.SupportQuery:
                OnSupportQuery(from);
                Hint(message.Term, now);
                break;
            case ElectionMessageKind.HeartbeatAck when _phase == Phase.Leading && message.Term == _term:
                _support[from] = new Support(_term, _self.DeviceId);
                break;
            default:
                // HeartbeatAck (and kinds a newer version adds) only prove the sender is reachable; a newer term in
                // one is a reason to ask, never to believe.
                Hint(message.Term, now);
                break;
        }
    }

    private void OnPrimaryMessage(string from, ElectionMessage message, TimeSpan now)
    {
        if (message.Term < _term)
        {
            // A late copy from our own primary is harmless; anyone else is a stale primary to fence.
            if (from != _leaderId)
            {
                ElectionLog.RejectedStale(_logger, message.Kind, message.Term, from, _term);
                _output.Send(from, new ElectionMessage(ElectionMessageKind.Reject, _term));
            }

            return;
        }

        if (IsAbsurd(message.Term))
        {
            ElectionLog.AbsurdTerm(_logger, message.Kind, message.Term, from, _term);
            return;
        }

        _support[from] = new Support(message.Term, from);
        StandDownIfUnsupported(now);
        bool believed = message.Term == _term && _leaderId == from && _validatedMembers >= Members;
        if (!believed && !HasEvidence(from, message.Term))
        {
            AwaitEvidence(from, message.Term, now);
            return;
        }

        if (_pending is { } pending && pending.Term <= message.Term)
        {
            _pending = null;
        }

        if (message.Term > _term)
        {
            AdoptTerm(message.Term, from, now);
        }
        else if (_leaderId is not null && _leaderId != from && Members >= 3)
        {
            // A majority supports the other primary of this term, so this node's cannot hold one (see HasEvidence).
            ElectionLog.SameTermConflict(_logger, _term, from, _leaderId);
            if (_phase == Phase.Leading)
            {
                LeavePrimary("a majority follows another primary of the same term", broadcast: false);
            }
        }
        else if (_leaderId is not null && _leaderId != from)
        {
            // Two primaries in one term (a two-node split, or a lone start): the better rank keeps it.
            if (!Outranks(from, _leaderId))
            {
                ElectionLog.SameTermConflict(_logger, _term, _leaderId, from);
                _output.Send(from, new ElectionMessage(ElectionMessageKind.Reject, _term, Granted: true));
                return;
            }

            ElectionLog.SameTermConflict(_logger, _term, from, _leaderId);
            if (_phase == Phase.Leading)
            {
                LeavePrimary("outranked by another primary of the same term", broadcast: false);
            }
        }

        Follow(from, now);
    }

    private void OnPreVote(string candidate, ulong proposedTerm, TimeSpan now)
    {
        // A member running above this primary's term outgrew it (a lost round in a partition). Refused below, as the
        // lease demands, but the primary re-elects itself above that term so the member can follow it again.
        if (!IsAbsurd(proposedTerm))
        {
            NoteHigherTerm(proposedTerm - 1);
        }
        bool grant = ShouldGrant(candidate, proposedTerm, now);
        if (grant)
        {
            if (_phase == Phase.PreVoting)
            {
                // Our own vote goes to the better candidate, so our round for this term cannot succeed any more.
                _grants.Clear();
                EnterRankWait(now);
            }

            // Every member hears the vote first-hand: it is what they check the claim against.
            Vote(candidate, proposedTerm);
        }

        // A refusal carries the highest term we know of (ours or one we voted in), so the candidate's next round
        // asks for a term above it instead of climbing one round at a time.
        ulong known = Math.Max(Math.Max(_term, _votedTerm), _pending?.Term ?? 0);
        _output.Send(candidate, new ElectionMessage(ElectionMessageKind.PreVoteReply, grant ? proposedTerm : known, grant));
    }

    private bool ShouldGrant(string candidate, ulong proposedTerm, TimeSpan now)
    {

        if (candidate == _leaderId && _phase == Phase.Following && proposedTerm > _term && proposedTerm >= _votedTerm
            && (proposedTerm > _votedTerm || _votedFor == candidate) && !IsAbsurd(proposedTerm) && !_observer)
        {
            // The primary this node follows re-elects itself (see Reelect): rank has nothing to add.
            return true;
        }

        if (_observer
            || proposedTerm <= _term
            || IsAbsurd(proposedTerm)
            || proposedTerm < _votedTerm
            || (_pending is { } pending && proposedTerm <= pending.Term && candidate != pending.Leader)
            || (proposedTerm == _votedTerm && _votedFor != candidate && _votedFor != _self.DeviceId)
            || _phase == Phase.Leading
            || (_leaderId is not null && _leaderId != candidate && now < _leaseUntil)
            || !_view.TryGetValue(candidate, out ElectionMember rank))
        {
            return false;
        }

        // Only the best live node we know may run, so the best one wins and a worse one cannot preempt it. (This is
        // also why a vote for ourselves may go to this candidate instead: two candidates that each vote for
        // themselves would otherwise block each other, round after round.) A better node that has not won by the
        // time its rank delay and one round have passed is passed over, so one that never runs blocks nobody.
        int better = _self.CompareTo(rank) < 0 ? 1 : 0;
        foreach (string id in _connected)
        {
            if (id != candidate && id != _silentPrimary && _view[id].CompareTo(rank) < 0)
            {
                better++;
            }
        }

        return better == 0 || now >= PassOverAt(better);
    }

    /// <summary>When candidates behind <paramref name="better"/> better-ranked nodes may be granted anyway.</summary>
    private TimeSpan PassOverAt(int better) =>
        Max(_leaderlessSince ?? TimeSpan.MaxValue / 2, _quietUntil) + (_timings.RankStep * (better - 1)) + _timings.MaxJitter + _timings.PreVoteTimeout;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void OnPreVoteReply(string from, ElectionMessage message, TimeSpan now)
    {
        if (!message.Granted)
        {
            // Not adopted: the term may be one the voter only voted in, and adopting it would fence a primary
            // that is still valid. It only raises the candidate's next proposal, within believable bounds.
            if (!IsAbsurd(message.Term))
            {
                _proposalFloor = Math.Max(_proposalFloor, message.Term);
            }

            return;
        }

        // A grant that arrives after the round ended (a paused candidate) no longer counts.
        if (IsCollectingVotes && message.Term == _proposal && now < _roundUntil && _view.ContainsKey(from))
        {
            _grants.Add(from);
            TryClaim(now);
        }
    }

    private void OnReject(string from, ElectionMessage message, TimeSpan now)
    {
        if (message.Term > _term)
        {
            // A stale primary learns of the newer one from that primary's heartbeats and the members' answers; a
            // primary that the member only outgrew (no primary holds that term) is re-elected above it.
            NoteHigherTerm(message.Term);
            Hint(message.Term, now);
        }
        else if (message.Term == _term && message.Granted && _phase == Phase.Leading && (Members < 3 || _allowMinorityPrimary))
        {
            // Two primaries of one term exist only where no majority decides (two members, or minority primaries).
            LeavePrimary("a better primary holds the same term", broadcast: false);
            WaitForPrimary(now);
        }
    }

    private void OnStepDown(string from, ulong term, TimeSpan now)
    {
        if (term != _term || _leaderId != from)
        {
            return;
        }

        // The primary left on purpose: run now rather than after its lease.
        _silentPrimary = from;
        _leaderId = null;
        EnterRankWait(now);
    }

    private void Follow(string leader, TimeSpan now)
    {
        if (_leaderId != leader)
        {
            ElectionLog.Following(_logger, leader, _term);
        }

        _silentPrimary = null;

        _leaderId = leader;
        _validatedMembers = Members;
        _leaseUntil = now + _timings.Lease;
        _phase = Phase.Following;
        _output.Send(leader, new ElectionMessage(ElectionMessageKind.HeartbeatAck, _term));
    }

    /// <summary>A higher term means a newer election happened: adopt it, step down and forget the primary.</summary>
    private void AdoptTerm(ulong term, string from, TimeSpan now)
    {
        if (term <= _term)
        {
            return;
        }

        if (_phase == Phase.Leading)
        {
            LeavePrimary("a newer term exists", broadcast: false);
        }

        ElectionLog.TermAdopted(_logger, term, from);
        SetTerm(term);
        _leaderId = null;
        WaitForPrimary(now);
    }

    private bool Outranks(string a, string b) => RankOf(a).CompareTo(RankOf(b)) < 0;

    private ElectionMember RankOf(string id) =>
        id == _self.DeviceId ? _self
        : _view.TryGetValue(id, out ElectionMember member) ? member
        : new ElectionMember(id, PreferPrimary: false, int.MinValue);
}
