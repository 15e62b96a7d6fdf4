using System.Collections.Immutable;

namespace Truffle.Tests.Generated;

internal enum Mood : byte
{
    Calm,
    Busy,
    Away,
}

internal enum Level : long
{
    Low = -5,
    High = long.MaxValue,
}

/// <summary>One member of every supported kind, so a round trip exercises every generated read and write.</summary>
[TruffleMessage("roundtrip")]
internal sealed partial record Everything(
    bool Flag,
    byte Byte,
    sbyte SByte,
    short Short,
    ushort UShort,
    int Int,
    uint UInt,
    long Long,
    ulong ULong,
    float Single,
    double Double,
    decimal Decimal,
    char Char,
    string Text,
    string? MaybeText,
    DateTime When,
    DateTimeOffset WhenWithOffset,
    TimeSpan Duration,
    Guid Id,
    Mood Mood,
    Level Level,
    byte[] Bytes,
    ReadOnlyMemory<byte> Memory,
    Memory<byte> WritableMemory,
    int? MaybeInt,
    Mood? MaybeMood,
    int[] Numbers,
    List<string> Names,
    IReadOnlyList<double> Readings,
    ImmutableArray<string> Tags,
    Dictionary<string, int> Counts,
    IReadOnlyDictionary<string, Inner> Children,
    Inner Nested,
    Inner? MaybeNested,
    List<Inner> NestedList,
    int[][] Jagged,
    Dictionary<string, List<int?>> Deep,
    List<string?> SparseNames);

/// <summary>Members that a sender's older version may lack: each has a value to take.</summary>
[TruffleMessage("roundtrip")]
internal sealed partial record Optional(int Int, string? MaybeText, int? MaybeInt, ImmutableArray<string> Tags, List<string>? MaybeNames);

[TruffleMessage("roundtrip")]
internal sealed partial record Inner(string Name, int Value);

[TruffleMessage("roundtrip")]
internal sealed partial record TreeNode(string Name, List<TreeNode> Children);

/// <summary>A nominal class: settable and init-only properties, a field, an ignored and a computed member.</summary>
[TruffleMessage("roundtrip")]
internal sealed partial class Settings
{
    public string Theme { get; set; } = "light";

    public int FontSize { get; init; }

    public List<string> Recent { get; set; } = [];

    public double Zoom = 1.0;

    [TruffleIgnore]
    public string Secret { get; set; } = "never sent";

    public int Computed => FontSize * 2;
}

[TruffleMessage("roundtrip")]
internal sealed partial record WithDefaults(string Status = "idle", int Battery = 100, Mood Mood = Mood.Busy);

[TruffleMessage("roundtrip")]
internal partial record struct Point(int X, int Y);

internal static partial class Outer
{
    public sealed partial class Middle
    {
        [TruffleMessage("roundtrip")]
        public sealed partial record Deeply(string Value, Point Where);
    }
}

[TruffleMessage("notes")]
internal sealed partial record Note(string Id, string Body);

[TruffleMessage("notes")]
internal sealed partial record GetNote(string Id) : IRequest<Note>;

[TruffleMessage("notes")]
internal sealed partial record ListNotes(string Prefix) : IRequest<List<string>>;

[TruffleMessage("notes", Type = "boom")]
internal sealed partial record Explode(string Reason) : IRequest<Note>;

[SyncedSlice("presence")]
internal sealed partial record Presence(string Status, int Battery, ImmutableArray<string> OpenFiles);

/// <summary>A slice with members of many kinds, for the diff/apply properties.</summary>
[SyncedSlice("profile")]
internal sealed partial record Profile(
    string Name,
    string? Nickname,
    int Age,
    double Score,
    bool Online,
    Mood Mood,
    int? Floor,
    DateTimeOffset Seen,
    Guid Session,
    byte[] Avatar,
    List<string> Tags,
    ImmutableArray<int> Ranks,
    Dictionary<string, string> Settings,
    Inner Pet,
    List<Inner> Friends,
    int[][] Grid);
