namespace Truffle.Mesh;

/// <summary>STUB — the fenced, rank-based election of SPEC §5 as a deterministic state machine.</summary>
internal sealed class Election : IDisposable
{
    public Election(ElectionMember self, ulong term, ElectionTimings timings, bool allowMinorityPrimary,
        TimeProvider timeProvider, Random random, IElectionOutput output) => throw new NotImplementedException();

    public ElectionState State => throw new NotImplementedException();

    public void Start(bool peersExpected) => throw new NotImplementedException();

    public void MemberJoined(ElectionMember member) => throw new NotImplementedException();

    public void MemberLost(string deviceId) => throw new NotImplementedException();

    public void MemberLeft(string deviceId) => throw new NotImplementedException();

    public void Receive(string from, ElectionMessage message) => throw new NotImplementedException();

    public void ObserveTerm(string from, ulong term) => throw new NotImplementedException();

    public void Resign() => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
