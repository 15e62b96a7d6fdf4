using Microsoft.Extensions.Logging;

namespace Truffle.Mesh;

/// <summary>The election's log messages (source-generated).</summary>
internal static partial class ElectionLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Became primary in term {Term}")]
    public static partial void BecamePrimary(ILogger logger, ulong term);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Stepped down as primary of term {Term}: {Reason}")]
    public static partial void SteppedDown(ILogger logger, ulong term, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Following primary {PrimaryId} in term {Term}")]
    public static partial void Following(ILogger logger, string primaryId, ulong term);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug, Message = "Adopted term {Term} seen from {From}")]
    public static partial void TermAdopted(ILogger logger, ulong term, string from);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug, Message = "Asking for pre-votes for term {Term} (rank position {RankPosition})")]
    public static partial void PreVoteStarted(ILogger logger, ulong term, int rankPosition);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug, Message = "Pre-vote for term {Term} got {Grants} grants of {ViewSize} members; waiting again")]
    public static partial void PreVoteFailed(ILogger logger, ulong term, int grants, int viewSize);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Debug, Message = "Primary {PrimaryId} of term {Term} is silent for a lease; an election may start")]
    public static partial void LeaseExpired(ILogger logger, string? primaryId, ulong term);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Debug, Message = "Rejected {Kind} of stale term {Term} from {From} (own term {OwnTerm})")]
    public static partial void RejectedStale(ILogger logger, ElectionMessageKind kind, ulong term, string from, ulong ownTerm);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Two primaries in term {Term}: {Winner} outranks {Loser}")]
    public static partial void SameTermConflict(ILogger logger, ulong term, string winner, string loser);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "An election state handler threw")]
    public static partial void StateHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Resigned from the election (term {Term})")]
    public static partial void Resigned(ILogger logger, ulong term);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Primary {Claimant} of term {Term} is not followed yet: fewer than half of the {Members} members said they support it; asking them")]
    public static partial void ClaimWithoutEvidence(ILogger logger, string claimant, ulong term, int members);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Ignored {Kind} of term {Term} from {From}: too far beyond the own term {OwnTerm} to be honest")]
    public static partial void AbsurdTerm(ILogger logger, ElectionMessageKind kind, ulong term, string from, ulong ownTerm);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "Members hold term {HeldTerm}, above this primary's: asking them to re-elect it in term {Term}")]
    public static partial void Reelecting(ILogger logger, ulong term, ulong heldTerm);
}
