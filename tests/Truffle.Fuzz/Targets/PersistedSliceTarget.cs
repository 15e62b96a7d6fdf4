using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Fuzz.Records;
using Truffle.Sync;
using Truffle.Wire;

namespace Truffle.Fuzz.Targets;

/// <summary>
/// A slice file as a restarting store reads it (<see cref="SlicePersistence.Decode"/>, then the slice's formatter):
/// a malformed-input exception from the first, <see cref="TruffleSerializationException"/> from the second.
/// </summary>
internal sealed class PersistedSliceTarget : FuzzTarget
{
    public override string Name => "persisted-slice";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        string directory = Path.Combine(Path.GetTempPath(), "truffle-fuzz-seed-" + Guid.NewGuid().ToString("N"));
        try
        {
            var persistence = new SlicePersistence(directory, SliceReader.StoreId<Presence>(), NullLogger.Instance, TruffleMetrics.Shared);
            persistence.Save(incarnation: 2, seq: 7, TruffleSerializer.Serialize(new Presence("here", 80, ["x"], 9, new Leaf("p", 1))));
            yield return ("saved", File.ReadAllBytes(persistence.Path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    protected override void Decode(ReadOnlyMemory<byte> input)
    {
        (_, ReadOnlyMemory<byte> whole) = SlicePersistence.Decode(input);
        SliceReader.ReadWhole<Presence>(whole);
    }

    protected override bool IsDocumented(Exception exception) =>
        exception is TruffleSerializationException || MalformedInput.Is(exception);
}
