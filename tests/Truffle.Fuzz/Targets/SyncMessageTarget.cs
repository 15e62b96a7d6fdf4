using Truffle.Fuzz.Records;
using Truffle.Sync;

namespace Truffle.Fuzz.Targets;

/// <summary>
/// <see cref="SyncMessageCodec.TryRead"/> for every kind (delta, snapshot and retire, digest, request, goodbye):
/// false for anything but exactly one well-formed message, never an exception.
/// </summary>
internal sealed class SyncMessageTarget : FuzzTarget
{
    public override string Name => "sync";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        byte[] values = TruffleSerializer.Serialize(new Leaf("v", 1));
        yield return ("delta", SyncMessageCodec.Encode(new DeltaMessage("fuzz-slice", "device-a", 3, 4, 5, new MemberMask(0b101), values)));
        yield return ("snapshot", SyncMessageCodec.Encode(new SnapshotMessage("fuzz-slice", "device-a", 3, 5, values)));
        yield return ("retire", SyncMessageCodec.Encode(new SnapshotMessage("fuzz-slice", "device-a", 3, 6, ReadOnlyMemory<byte>.Empty)));
        yield return ("digest", SyncMessageCodec.Encode(new DigestMessage(
            [new DigestEntry("fuzz-slice", "device-a", 3, 5), new DigestEntry("other", "device-b", 1, 1)])));
        yield return ("request", SyncMessageCodec.Encode(new RequestMessage("fuzz-slice", "device-b")));
        yield return ("goodbye", SyncMessageCodec.Encode(new GoodbyeMessage("device-a", 3)));
    }

    protected override void Decode(ReadOnlyMemory<byte> input) => SyncMessageCodec.TryRead(input, out _);
}
