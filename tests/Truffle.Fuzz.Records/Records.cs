using System.Collections.Immutable;

namespace Truffle.Fuzz.Records;

/// <summary>The generated-formatter targets decode these: scalars, strings, collections, nesting and recursion.</summary>
internal enum Shade : byte
{
    Light,
    Dark,
}

/// <summary>One member of most supported kinds.</summary>
[TruffleMessage("fuzz")]
internal sealed partial record Mixed(
    bool Flag,
    int Int,
    ulong ULong,
    double Double,
    decimal Decimal,
    char Char,
    string Text,
    string? MaybeText,
    DateTime When,
    DateTimeOffset WhenWithOffset,
    TimeSpan Duration,
    Guid Id,
    Shade Shade,
    byte[] Bytes,
    int? MaybeInt,
    int[] Numbers,
    List<string?> Names,
    ImmutableArray<string> Tags,
    Dictionary<string, int> Counts,
    IReadOnlyDictionary<string, Leaf> Children,
    Leaf? Nested,
    int[][] Jagged);

/// <summary>A small nested record.</summary>
[TruffleMessage("fuzz")]
internal sealed partial record Leaf(string Name, int Value);

/// <summary>Recursive: the depth limit of untrusted data is what stops it.</summary>
[TruffleMessage("fuzz")]
internal sealed partial record Tree(string Name, List<Tree> Children);

/// <summary>A nominal class with settable members and defaults.</summary>
[TruffleMessage("fuzz")]
internal sealed partial class Preferences
{
    public string Theme { get; set; } = "light";

    public int FontSize { get; init; }

    public List<string> Recent { get; set; } = [];
}

/// <summary>The slice the delta and persisted-slice targets apply.</summary>
[SyncedSlice("fuzz-slice")]
internal sealed partial record Presence(string Text, int Battery, ImmutableArray<string> Tags, long Counter, Leaf? Pinned);
