namespace Truffle.Mesh;

/// <summary>The election's messages; each travels as a control envelope in the <c>mesh</c> namespace.</summary>
internal enum ElectionMessageKind : byte
{
    /// <summary>Primary → all, every heartbeat interval: "I am primary in this term".</summary>
    Heartbeat = 0,

    /// <summary>Candidate → live members: "would you accept me in term + 1?" (does not change anyone's term).</summary>
    PreVote = 1,

    /// <summary>
    /// Answer to a pre-vote, <see cref="ElectionMessage.Granted"/> or not. A grant carries the proposed term; a
    /// refusal the highest term the voter knows (its own or one it voted in), which the candidate only uses to
    /// propose above it next time — never adopts.
    /// </summary>
    PreVoteReply = 2,

    /// <summary>Candidate → all: "I am primary in this (new) term".</summary>
    Claim = 3,

    /// <summary>
    /// Refusal of a heartbeat or claim from a stale term or a lost tie; carries the receiver's term.
    /// <see cref="ElectionMessage.Granted"/> is set when the refusal is a same-term conflict (the receiver follows a
    /// better primary in that term), so a late answer to an old message cannot unseat a primary of that term.
    /// </summary>
    Reject = 4,

    /// <summary>Primary → all: "I give up the role" (graceful stop, lost quorum).</summary>
    StepDown = 5,

    /// <summary>
    /// Secondary → primary, answering a heartbeat or claim: lets a primary of three or more members tell that it
    /// still reaches a majority (it steps down when it does not).
    /// </summary>
    HeartbeatAck = 6,

    /// <summary>
    /// Member → all members: "I support <see cref="ElectionMessage.Candidate"/> in this term", sent when it grants a
    /// pre-vote and in answer to <see cref="SupportQuery"/> (then naming the primary it follows). Every member counts
    /// these first-hand statements before it follows a claim (see <c>docs/security.md</c>).
    /// </summary>
    Vote = 7,

    /// <summary>
    /// Member → all members: "whom do you support?", sent by a member that heard a primary it has no evidence for yet;
    /// each answers with a <see cref="Vote"/> naming its primary (or its vote).
    /// </summary>
    SupportQuery = 8,
}

/// <summary>One election message.</summary>
/// <param name="Kind">What it says.</param>
/// <param name="Term">The sender's term (for a pre-vote, the term it would claim).</param>
/// <param name="Granted">
/// For <see cref="ElectionMessageKind.PreVoteReply"/>: whether the pre-vote is granted. For
/// <see cref="ElectionMessageKind.Reject"/>: whether it is a same-term conflict rather than a stale term.
/// </param>
/// <param name="Candidate">For <see cref="ElectionMessageKind.Vote"/>: the device supported; null otherwise.</param>
internal readonly record struct ElectionMessage(ElectionMessageKind Kind, ulong Term, bool Granted = false, string? Candidate = null);

/// <summary>The election's view: role, primary and term.</summary>
/// <param name="Role">This node's role.</param>
/// <param name="PrimaryId">The primary's device id; null when none is known.</param>
/// <param name="Term">The current term.</param>
internal readonly record struct ElectionState(MeshRole Role, string? PrimaryId, ulong Term);

/// <summary>Where the election's decisions go (the mesh sends them as control envelopes).</summary>
internal interface IElectionOutput
{
    /// <summary>Sends to one member; must not block (drop silently when the member is unreachable).</summary>
    void Send(string deviceId, ElectionMessage message);

    /// <summary>Sends to every connected member; must not block.</summary>
    void Broadcast(ElectionMessage message);

    /// <summary>The role, primary or term changed. Called without the election's lock held, in order.</summary>
    void StateChanged(ElectionState state);
}
