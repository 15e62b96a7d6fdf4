using Truffle.Mesh;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>What one lying member can no longer do to the election (issue 10, docs/security.md).</summary>
public sealed partial class ElectionRulesTests
{
    [Fact]
    public void A_claim_without_votes_is_not_followed_until_a_majority_said_it_supports_the_claimant()
    {
        using Election election = Create(term: 5);
        election.MemberJoined(s_better);
        election.MemberJoined(s_worse);
        election.Start(peersExpected: true);

        election.Receive("c", new ElectionMessage(ElectionMessageKind.Claim, 6));

        Assert.Equal(new ElectionState(MeshRole.None, null, 5), election.State);
        Assert.Contains(("*", new ElectionMessage(ElectionMessageKind.SupportQuery, 5)), _output.Sent);

        election.Receive("a", new ElectionMessage(ElectionMessageKind.Vote, 6, Granted: true, "c"));

        Assert.Equal(new ElectionState(MeshRole.Secondary, "c", 6), election.State);
    }

    [Fact]
    public void A_vote_for_another_term_or_claimant_is_no_evidence()
    {
        using Election election = Create(term: 5);
        election.MemberJoined(s_better);
        election.MemberJoined(s_worse);
        election.Start(peersExpected: true);

        election.Receive("a", new ElectionMessage(ElectionMessageKind.Vote, 7, Granted: true, "c"));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.Vote, 6, Granted: true, "c"));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.Claim, 6));

        Assert.Equal(new ElectionState(MeshRole.None, null, 5), election.State);
    }

    [Fact]
    public void A_term_too_far_ahead_is_ignored_even_with_votes()
    {
        using Election election = Create(term: 5);
        election.MemberJoined(s_better);
        election.MemberJoined(s_worse);
        election.Start(peersExpected: true);
        ulong absurd = 5 + Election.MaxTermStep + 1;

        election.Receive("a", new ElectionMessage(ElectionMessageKind.Vote, absurd, Granted: true, "c"));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.Claim, absurd));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.PreVote, absurd));

        Assert.Equal(new ElectionState(MeshRole.None, null, 5), election.State);
        Assert.DoesNotContain(_output.Sent, s => s.Message.Kind == ElectionMessageKind.PreVoteReply && s.Message.Granted);
    }

    [Fact]
    public void Refusals_step_downs_and_acks_naming_a_higher_term_do_not_unseat_a_primary()
    {
        using Election election = Create(term: 5);
        election.Start(peersExpected: false);
        election.MemberJoined(s_better);
        election.MemberJoined(s_worse);
        election.Receive("a", new ElectionMessage(ElectionMessageKind.HeartbeatAck, 6));

        election.Receive("c", new ElectionMessage(ElectionMessageKind.Reject, 100, Granted: true));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.StepDown, 100));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.HeartbeatAck, 100));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.Reject, 6, Granted: true));

        Assert.Equal(new ElectionState(MeshRole.Primary, "b", 6), election.State);
    }

    [Fact]
    public void A_primary_whose_member_holds_a_higher_term_is_re_elected_above_it_and_stays_primary()
    {
        using Election election = Create(term: 5);
        election.Start(peersExpected: false);
        election.MemberJoined(s_better);
        election.MemberJoined(s_worse);
        election.Receive("a", new ElectionMessage(ElectionMessageKind.HeartbeatAck, 6));

        election.Receive("c", new ElectionMessage(ElectionMessageKind.Reject, 9));
        _clock.Advance(new ElectionTimings().HeartbeatInterval);

        Assert.Contains(("*", new ElectionMessage(ElectionMessageKind.PreVote, 10)), _output.Sent);
        election.Receive("a", new ElectionMessage(ElectionMessageKind.Vote, 10, Granted: true, "b"));
        Assert.Equal(new ElectionState(MeshRole.Primary, "b", 10), election.State);
    }

    [Fact]
    public void A_best_ranked_member_that_never_runs_is_passed_over()
    {
        var best = new ElectionMember("0-best", PreferPrimary: true, Priority: 100);
        using Election election = Create(term: 5);
        election.MemberJoined(best);
        election.MemberJoined(s_worse);
        election.Start(peersExpected: true);

        election.Receive("c", new ElectionMessage(ElectionMessageKind.PreVote, 20));
        Assert.Contains(("c", new ElectionMessage(ElectionMessageKind.PreVoteReply, 5, Granted: false)), _output.Sent);

        _clock.Advance(TimeSpan.FromSeconds(3));
        election.Receive("c", new ElectionMessage(ElectionMessageKind.PreVote, 40));

        Assert.Contains(("c", new ElectionMessage(ElectionMessageKind.PreVoteReply, 40, Granted: true)), _output.Sent);
        Assert.Contains(("*", new ElectionMessage(ElectionMessageKind.Vote, 40, Granted: true, "c")), _output.Sent);
    }
}
