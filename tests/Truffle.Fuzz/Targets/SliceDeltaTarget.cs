using Truffle.Fuzz.Records;
using Truffle.Sync;

namespace Truffle.Fuzz.Targets;

/// <summary>
/// A received slice delta applied to a replica (<see cref="SliceDelta.Apply{T}(T, out MemberMask)"/>) and the same
/// bytes read as a whole snapshot: both refuse bad values with <see cref="TruffleSerializationException"/> only.
/// </summary>
internal sealed class SliceDeltaTarget : FuzzTarget
{
    private static readonly Presence Previous = new("away", 40, ["a"], 1, null);

    public override string Name => "slice-delta";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var current = new Presence("here", 41, ["a", "b"], 2, new Leaf("pin", 3));
        yield return ("all-members", SliceDelta.Create(null, current).Values.ToArray());
        yield return ("two-members", SliceDelta.Create(Previous, Previous with { Battery = 39, Pinned = new Leaf("x", 1) }).Values.ToArray());
        yield return ("no-members", SliceDelta.Create(Previous, Previous).Values.ToArray());
    }

    protected override void Decode(ReadOnlyMemory<byte> input)
    {
        try
        {
            SliceDelta.FromValues(input).Apply(Previous, out _);
        }
        catch (TruffleSerializationException)
        {
            // Refused as documented; the snapshot reading below is a separate path.
        }

        SliceReader.ReadWhole<Presence>(input);
    }

    protected override bool IsDocumented(Exception exception) => exception is TruffleSerializationException;
}
