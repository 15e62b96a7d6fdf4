using Microsoft.Extensions.Time.Testing;
using Truffle.Mesh;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>Single rules, driven by hand against one election.</summary>
public sealed partial class ElectionRulesTests
{
    private static readonly ElectionMember s_self = new("b", PreferPrimary: false, Priority: 0);
    private static readonly ElectionMember s_better = new("a", PreferPrimary: false, Priority: 0);
    private static readonly ElectionMember s_worse = new("c", PreferPrimary: false, Priority: 0);

    private readonly FakeTimeProvider _clock = new();
    private readonly Output _output = new();

    private Election Create(ulong term = 5)
    {
        var election = new Election(s_self, term, new ElectionTimings(), allowMinorityPrimary: false, _clock, new Random(1), _output);
        _output.Election = election;
        return election;
    }

    [Fact]
    public void Heartbeat_from_a_stale_term_is_rejected_with_the_current_term()
    {
        using Election election = Create(term: 5);
        election.MemberJoined(s_worse);
        election.Start(peersExpected: true);

        election.Receive("c", new ElectionMessage(ElectionMessageKind.Heartbeat, 4));

        Assert.Contains(("c", new ElectionMessage(ElectionMessageKind.Reject, 5)), _output.Sent);
        Assert.Equal(new ElectionState(MeshRole.None, null, 5), election.State);
    }

    [Fact]
    public void A_higher_term_in_one_members_envelope_is_not_believed_it_only_makes_the_node_ask()
    {
        using Election election = Create(term: 5);
        election.Start(peersExpected: false);
        election.MemberJoined(s_worse);

        election.ObserveTerm("c", 9);

        Assert.Equal(new ElectionState(MeshRole.Primary, "b", 6), election.State);
        Assert.Contains(("*", new ElectionMessage(ElectionMessageKind.SupportQuery, 6)), _output.Sent);
    }

    [Fact]
    public void Pre_vote_is_refused_while_the_primary_lease_is_valid_and_granted_after_it()
    {
        using Election election = Create(term: 5);
        election.MemberJoined(s_better);
        election.MemberJoined(s_worse);
        election.Start(peersExpected: true);
        election.Receive("a", new ElectionMessage(ElectionMessageKind.Vote, 5, Granted: true, "c"));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.Heartbeat, 5));
        election.MemberLost("c");

        election.Receive("a", new ElectionMessage(ElectionMessageKind.PreVote, 6));
        Assert.Contains(("a", new ElectionMessage(ElectionMessageKind.PreVoteReply, 5, Granted: false)), _output.Sent);

        _clock.Advance(TimeSpan.FromSeconds(3));
        election.Receive("a", new ElectionMessage(ElectionMessageKind.PreVote, 6));
        Assert.Contains(("a", new ElectionMessage(ElectionMessageKind.PreVoteReply, 6, Granted: true)), _output.Sent);
    }

    [Fact]
    public void Pre_vote_is_refused_to_a_candidate_that_a_live_member_outranks()
    {
        using Election election = Create(term: 5);
        election.MemberJoined(s_worse);
        election.Start(peersExpected: true);

        election.Receive("c", new ElectionMessage(ElectionMessageKind.PreVote, 6));

        Assert.Contains(("c", new ElectionMessage(ElectionMessageKind.PreVoteReply, 5, Granted: false)), _output.Sent);
    }

    [Fact]
    public void A_term_gets_one_vote()
    {
        using Election election = Create(term: 5);
        var other = new ElectionMember("a2", PreferPrimary: false, Priority: 0);
        election.MemberJoined(s_better);
        election.MemberJoined(other);
        election.MemberLost("a");
        election.Receive("a2", new ElectionMessage(ElectionMessageKind.PreVote, 6));
        election.MemberJoined(s_better);

        election.Receive("a", new ElectionMessage(ElectionMessageKind.PreVote, 6));

        Assert.Contains(("a2", new ElectionMessage(ElectionMessageKind.PreVoteReply, 6, Granted: true)), _output.Sent);
        Assert.Contains(("a", new ElectionMessage(ElectionMessageKind.PreVoteReply, 6, Granted: false)), _output.Sent);
    }

    [Fact]
    public void Primary_greets_a_newcomer_with_a_heartbeat()
    {
        using Election election = Create(term: 0);
        election.Start(peersExpected: false);

        election.MemberJoined(s_better);

        Assert.Contains(("a", new ElectionMessage(ElectionMessageKind.Heartbeat, 1)), _output.Sent);
        Assert.Equal(MeshRole.Primary, election.State.Role);
    }

    [Fact]
    public void State_changes_are_reported_outside_the_lock_in_order_and_the_handler_may_call_back()
    {
        using Election election = Create(term: 0);
        election.MemberJoined(s_better);
        election.Start(peersExpected: false);
        election.Receive("a", new ElectionMessage(ElectionMessageKind.Heartbeat, 3));
        election.Resign();

        // One input, one report: adopting term 3 and following "a" happen in the same Receive.
        Assert.Equal(
        [
            new ElectionState(MeshRole.Primary, "b", 1),
            new ElectionState(MeshRole.Secondary, "a", 3),
            new ElectionState(MeshRole.None, null, 3),
        ], _output.States);
        Assert.All(_output.ObservedFromHandler, s => Assert.NotNull(s));
    }

    private sealed class Output : IElectionOutput
    {
        public Election? Election { get; set; }

        public List<(string To, ElectionMessage Message)> Sent { get; } = [];

        public List<ElectionState> States { get; } = [];

        public List<ElectionState?> ObservedFromHandler { get; } = [];

        public void Send(string deviceId, ElectionMessage message) => Sent.Add((deviceId, message));

        public void Broadcast(ElectionMessage message) => Sent.Add(("*", message));

        public void StateChanged(ElectionState state)
        {
            States.Add(state);

            // Reading the state from the handler would deadlock on another thread if the lock were held here.
            ElectionState? seen = null;
            var reader = new Thread(() => seen = Election!.State);
            reader.Start();
            Assert.True(reader.Join(TimeSpan.FromSeconds(5)), "StateChanged was called with the election's lock held");
            ObservedFromHandler.Add(seen);
        }
    }
}
