namespace Truffle.Mesh;

/// <summary>
/// Why a member believes a primary (issue 10, <c>docs/security.md</c>): every member is trusted to speak for itself
/// only, so a claim is followed once a majority of the membership has said, each over its own connection, that it
/// supports that claimant in that term. A vote is broadcast to every member for this; a member that heard a primary it
/// has no evidence for asks the others whom they support. No single member can make the others follow it, adopt its
/// term, or step down.
/// </summary>
internal sealed partial class Election
{
    /// <summary>
    /// The furthest a term may lie ahead of this node's own before it is ignored. Honest terms grow by one per round
    /// (a partitioned node's by one per <see cref="ElectionTimings.PreVoteTimeout"/> at most, weeks of rounds below
    /// this), so a larger jump is a lie meant to exhaust the term space.
    /// </summary>
    internal const ulong MaxTermStep = 1UL << 20;

    private bool IsAbsurd(ulong term) => term > ElectionMessageCodec.MaxTerm || (term > _term && term - _term > MaxTermStep);

    /// <summary>Members that count toward a majority: the view, and this node unless it only observes.</summary>
    private int Members => _view.Count + (_observer ? 0 : 1);

    /// <summary>
    /// Whether a majority said it supports <paramref name="claimant"/> in <paramref name="term"/>: the claimant itself,
    /// this node if it voted so or follows it, and every member whose latest word names them. With fewer than three members there
    /// is no majority to ask: the claimant's word (checked by the pre-vote rules it ran) is all there is.
    /// </summary>
    private bool HasEvidence(string claimant, ulong term)
    {
        int members = Members;
        if (members < 3)
        {
            return true;
        }

        // This node supports the claimant if it voted for it in that term or already follows it there: a member that
        // joins later and lies about whom it supports must not make this node drop a primary it rightly follows.
        bool self = !_observer && ((_votedTerm == term && _votedFor == claimant) || (_leaderId == claimant && _term == term));
        int supporters = 1 + (self ? 1 : 0);
        foreach ((string id, Support word) in _support)
        {
            if (id != claimant && word.Term == term && word.Candidate == claimant)
            {
                supporters++;
            }
        }

        return supporters * 2 > members;
    }

    /// <summary>
    /// A primary of three or more members that fewer than half follow (a lone start that met the mesh, a membership
    /// that grew past its followers) cannot show the others any evidence: it stands down so that a real election
    /// decides, rather than hold a role nobody may believe.
    /// </summary>
    /// <returns>Whether it stood down.</returns>
    private bool StandDownIfUnsupported(TimeSpan now)
    {
        if (_phase != Phase.Leading || Members < 3 || _allowMinorityPrimary)
        {
            return false;
        }

        int supporters = 1;
        foreach (Support word in _support.Values)
        {
            if (word.Term == _term && word.Candidate == _self.DeviceId)
            {
                supporters++;
            }
        }

        if (supporters * 2 > Members)
        {
            return false;
        }

        LeavePrimary("fewer than half of the members follow it", broadcast: true);
        EnterRankWait(now);
        return true;
    }

    /// <summary>A member's statement of support (a vote, or the answer to a query).</summary>
    private void OnVote(string from, ElectionMessage message, TimeSpan now)
    {
        if (message.Candidate is not { } candidate || IsAbsurd(message.Term)
            || (candidate != _self.DeviceId && !_view.ContainsKey(candidate)))
        {
            return;
        }

        // The latest word stands, whatever its term: a member that moved on no longer backs what it said before.
        _support[from] = new Support(message.Term, candidate);
        if (candidate == _self.DeviceId && IsCollectingVotes && message.Term == _proposal && now < _roundUntil)
        {
            _grants.Add(from);
            TryClaim(now);
        }

        ReconsiderPending(now);
    }

    /// <summary>Answers "whom do you support?" with this node's primary, or its vote when it has none.</summary>
    private void OnSupportQuery(string from)
    {
        if (_observer)
        {
            return;
        }

        (ulong term, string? candidate) = _phase == Phase.Leading ? (_term, _self.DeviceId)
            : _leaderId is not null ? (_term, _leaderId)
            : (_votedTerm, _votedFor);
        if (candidate is not null)
        {
            _output.Send(from, new ElectionMessage(ElectionMessageKind.Vote, term, Granted: true, candidate));
        }
    }

    /// <summary>
    /// A primary spoke without evidence yet: remember it, ask the members whom they support, and follow it once their
    /// answers make a majority (<see cref="ReconsiderPending"/>).
    /// </summary>
    private void AwaitEvidence(string claimant, ulong term, TimeSpan now)
    {
        if (_pending is not { } known || known.Leader != claimant || known.Term != term)
        {
            ElectionLog.ClaimWithoutEvidence(_logger, claimant, term, Members);
        }

        _pending = new Pending(claimant, term, now);
        if (_leaderId is null && !_observer && _votedTerm < term && ShouldGrant(claimant, term, now))
        {
            // A claim is a request for votes too: this node backs it exactly as it would grant that claimant's
            // pre-vote for that term (so a lone start that meets the mesh is confirmed rather than replaced).
            Vote(claimant, term);
        }

        QuerySupport(now);
    }

    /// <summary>A term this node cannot believe yet (a refusal, an envelope's term): ask who supports whom.</summary>
    private void Hint(ulong term, TimeSpan now)
    {
        if (term > _term && !IsAbsurd(term))
        {
            QuerySupport(now);
        }
    }

    private void QuerySupport(TimeSpan now)
    {
        if (now < _queryAfter || _view.Count == 0)
        {
            return;
        }

        _queryAfter = now + _timings.HeartbeatInterval;
        _output.Broadcast(new ElectionMessage(ElectionMessageKind.SupportQuery, _term));
    }

    private void ReconsiderPending(TimeSpan now)
    {
        if (_pending is not { } pending || !HasEvidence(pending.Leader, pending.Term))
        {
            return;
        }

        _pending = null;
        if (pending.Term >= _term && _view.ContainsKey(pending.Leader))
        {
            OnPrimaryMessage(pending.Leader, new ElectionMessage(ElectionMessageKind.Heartbeat, pending.Term), now);
        }
    }

    /// <summary>
    /// Instead of running against a primary it has heard but cannot confirm (its votes were lost on the way here), a
    /// node without a primary backs that claim as it would grant a pre-vote: it votes for it, once per term, for
    /// every member to count, and waits again. It runs itself only when that claimant fell silent or it already
    /// voted for another in that term.
    /// </summary>
    /// <returns>Whether it backed a claim (and so does not run now).</returns>
    private bool BackPendingClaim(TimeSpan now)
    {
        if (_pending is not { } pending || now - pending.Heard >= _timings.Lease || pending.Term < _term
            || !_view.ContainsKey(pending.Leader)
            || (_votedTerm > pending.Term) || (_votedTerm == pending.Term && _votedFor != pending.Leader))
        {
            return false;
        }

        Vote(pending.Leader, pending.Term);
        QuerySupport(now);
        ReconsiderPending(now);
        if (_phase is Phase.RankWait or Phase.PreVoting)
        {
            EnterRankWait(now);
        }

        return true;
    }

    /// <summary>Gives this node's one vote of <paramref name="term"/> and tells every member, who count it.</summary>
    private void Vote(string candidate, ulong term)
    {
        _votedTerm = term;
        _votedFor = candidate;
        _output.Broadcast(new ElectionMessage(ElectionMessageKind.Vote, term, Granted: true, candidate));
    }

    /// <summary>Whether grants count now: in a pre-vote round, or in a primary's re-election.</summary>
    private bool IsCollectingVotes => _phase == Phase.PreVoting || (_phase == Phase.Leading && _proposal > _term);

    /// <summary>A member knows a term above this primary's (see <see cref="Reelect"/>).</summary>
    private void NoteHigherTerm(ulong term)
    {
        if (_phase == Phase.Leading && term > _term && !IsAbsurd(term))
        {
            _heldTerm = Math.Max(_heldTerm, term);
        }
    }

    /// <summary>
    /// A primary whose members hold a higher term than its own (they lost a round in a partition and never adopt a
    /// term on one member's word) asks them for a term above it, at most once a lease, while it stays primary: they
    /// grant the primary they follow, the claim carries the evidence, and the mesh is one again. A member lying about
    /// its term gains only this: terms grow, within <see cref="MaxTermStep"/>.
    /// </summary>
    private void Reelect(TimeSpan now)
    {
        if (_heldTerm <= _term || now < _reelectAfter)
        {
            return;
        }

        _reelectAfter = now + _timings.Lease;
        _proposalFloor = Math.Max(_proposalFloor, _heldTerm);
        _proposal = NextTerm();
        _votedTerm = _proposal;
        _votedFor = _self.DeviceId;
        _grants.Clear();
        _roundUntil = now + _timings.PreVoteTimeout;
        ElectionLog.Reelecting(_logger, _proposal, _heldTerm);
        _output.Broadcast(new ElectionMessage(ElectionMessageKind.PreVote, _proposal));
    }

    /// <summary>A primary heard (<see cref="Heard"/> last) that this node has no evidence for yet.</summary>
    private readonly record struct Pending(string Leader, ulong Term, TimeSpan Heard);

    /// <summary>One member's latest word: whom it supports, in which term.</summary>
    private readonly record struct Support(ulong Term, string Candidate);
}
