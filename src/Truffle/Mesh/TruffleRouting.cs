namespace Truffle;

/// <summary>How application messages between two secondaries travel.</summary>
public enum TruffleRouting
{
    /// <summary>Through the primary (STAR): every device sees broadcasts in one order.</summary>
    Star = 0,

    /// <summary>Point to point, without a relay; broadcasts have no common order.</summary>
    Direct = 1,
}
