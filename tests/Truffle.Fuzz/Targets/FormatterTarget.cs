using Truffle.Fuzz.Records;

namespace Truffle.Fuzz.Targets;

/// <summary>
/// Generated formatters of a few test records: the first byte picks the record, the rest is its MessagePack.
/// <see cref="TruffleSerializer.Deserialize{T}(ReadOnlyMemory{byte})"/> refuses bad bytes with
/// <see cref="TruffleSerializationException"/> only.
/// </summary>
internal sealed class FormatterTarget : FuzzTarget
{
    private static readonly Action<ReadOnlyMemory<byte>>[] Readers =
    [
        bytes => TruffleSerializer.Deserialize<Mixed>(bytes),
        bytes => TruffleSerializer.Deserialize<Leaf>(bytes),
        bytes => TruffleSerializer.Deserialize<Tree>(bytes),
        bytes => TruffleSerializer.Deserialize<Preferences>(bytes),
    ];

    public override string Name => "formatter";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var leaf = new Leaf("leaf", -3);
        var mixed = new Mixed(
            true, -7, ulong.MaxValue, 2.5, 10.25m, 'x', "text", null, new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc),
            new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.FromHours(2)), TimeSpan.FromSeconds(90), Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"),
            Shade.Dark, [1, 2, 3], 5, [1, 2], ["a", null], ["t"], new() { ["k"] = 1 }, new Dictionary<string, Leaf> { ["c"] = leaf },
            leaf, [[1], [2, 3]]);
        var tree = new Tree("root", [new Tree("a", []), new Tree("b", [new Tree("c", [])])]);
        var preferences = new Preferences { Theme = "dark", FontSize = 14, Recent = ["x"] };
        yield return ("mixed", [0, .. TruffleSerializer.Serialize(mixed)]);
        yield return ("leaf", [1, .. TruffleSerializer.Serialize(leaf)]);
        yield return ("tree", [2, .. TruffleSerializer.Serialize(tree)]);
        yield return ("preferences", [3, .. TruffleSerializer.Serialize(preferences)]);
    }

    protected override void Decode(ReadOnlyMemory<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        Readers[input.Span[0] % Readers.Length](input[1..]);
    }

    protected override bool IsDocumented(Exception exception) => exception is TruffleSerializationException;
}
