using Truffle.Mesh;

namespace Truffle.Fuzz.Targets;

/// <summary><see cref="ElectionMessageCodec.TryRead(ReadOnlyMemory{byte}, out ElectionMessage)"/>: false, never an exception.</summary>
internal sealed class ElectionTarget : FuzzTarget
{
    public override string Name => "election";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        foreach (ElectionMessageKind kind in Enum.GetValues<ElectionMessageKind>())
        {
            yield return (kind.ToString().ToLowerInvariant(), ElectionMessageCodec.Encode(new ElectionMessage(kind, 7, kind == ElectionMessageKind.PreVoteReply)));
        }

        yield return ("claim-large-term", ElectionMessageCodec.Encode(new ElectionMessage(ElectionMessageKind.Claim, ulong.MaxValue)));
    }

    protected override void Decode(ReadOnlyMemory<byte> input)
    {
        ElectionMessageCodec.TryRead(input, out _);
        ElectionMessageCodec.TryRead(SplitSequence.Of(input), out _);
    }
}
