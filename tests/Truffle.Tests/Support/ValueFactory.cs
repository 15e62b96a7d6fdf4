using System.Collections.Immutable;
using Truffle.Tests.Generated;

namespace Truffle.Tests.Support;

/// <summary>Seeded random values of the test types, for property tests that must be reproducible from the seed.</summary>
internal sealed class ValueFactory(int seed)
{
    private readonly Random _random = new(seed);

    public int Seed { get; } = seed;

    public Everything Everything() => new(
        Flag: Bool(),
        Byte: (byte)_random.Next(256),
        SByte: (sbyte)_random.Next(-128, 128),
        Short: (short)_random.Next(short.MinValue, short.MaxValue + 1),
        UShort: (ushort)_random.Next(ushort.MaxValue + 1),
        Int: Pick(0, -1, int.MinValue, int.MaxValue, _random.Next()),
        UInt: Pick(0u, uint.MaxValue, (uint)_random.Next()),
        Long: Pick(0L, long.MinValue, long.MaxValue, _random.NextInt64()),
        ULong: Pick(0UL, ulong.MaxValue, (ulong)_random.NextInt64()),
        Single: Pick(0f, float.MaxValue, float.NaN, float.NegativeInfinity, (float)_random.NextDouble()),
        Double: Pick(0d, double.Epsilon, double.NaN, -1e300, _random.NextDouble()),
        Decimal: Pick(0m, decimal.MaxValue, decimal.MinValue, -0.0001m, (decimal)_random.NextDouble()),
        Char: (char)_random.Next(32, 0xD7FF),
        Text: Text(),
        MaybeText: Maybe(Text),
        When: new DateTime(_random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc),
        WhenWithOffset: Offset(),
        Duration: new TimeSpan(_random.NextInt64(long.MinValue / 2, long.MaxValue / 2)),
        Id: Guid(),
        Mood: (Mood)_random.Next(3),
        Level: Pick(Level.Low, Level.High),
        Bytes: Bytes(),
        Memory: Bytes(),
        WritableMemory: Bytes(),
        MaybeInt: _random.Next(3) == 0 ? null : _random.Next(),
        MaybeMood: _random.Next(3) == 0 ? null : (Mood)_random.Next(3),
        Numbers: [.. List(() => _random.Next())],
        Names: List(Text),
        Readings: [.. List(() => _random.NextDouble())],
        Tags: [.. List(Text)],
        Counts: Map(() => _random.Next()),
        Children: Map(Inner),
        Nested: Inner(),
        MaybeNested: Maybe(Inner),
        NestedList: List(Inner),
        Jagged: [.. List(() => List(() => _random.Next()).ToArray())],
        Deep: Map(() => List<int?>(() => _random.Next(2) == 0 ? null : _random.Next())),
        SparseNames: List<string?>(() => _random.Next(2) == 0 ? null : Text()));

    public Profile Profile() => new(
        Name: Text(),
        Nickname: Maybe(Text),
        Age: _random.Next(0, 120),
        Score: _random.NextDouble(),
        Online: Bool(),
        Mood: (Mood)_random.Next(3),
        Floor: _random.Next(2) == 0 ? null : _random.Next(-3, 50),
        Seen: Offset(),
        Session: Guid(),
        Avatar: Bytes(),
        Tags: List(Text),
        Ranks: [.. List(() => _random.Next(10))],
        Settings: Map(Text),
        Pet: Inner(),
        Friends: List(Inner),
        Grid: [.. List(() => List(() => _random.Next(3)).ToArray())]);

    /// <summary>A copy of <paramref name="profile"/> with a random subset of members replaced by new random values.</summary>
    public Profile Mutate(Profile profile)
    {
        Profile fresh = Profile();
        return profile with
        {
            Name = Bool() ? fresh.Name : profile.Name,
            Nickname = Bool() ? fresh.Nickname : profile.Nickname,
            Age = Bool() ? fresh.Age : profile.Age,
            Score = Bool() ? fresh.Score : profile.Score,
            Online = Bool() ? fresh.Online : profile.Online,
            Mood = Bool() ? fresh.Mood : profile.Mood,
            Floor = Bool() ? fresh.Floor : profile.Floor,
            Seen = Bool() ? fresh.Seen : profile.Seen,
            Session = Bool() ? fresh.Session : profile.Session,
            Avatar = Bool() ? fresh.Avatar : [.. profile.Avatar],
            Tags = Bool() ? fresh.Tags : [.. profile.Tags],
            Ranks = Bool() ? fresh.Ranks : profile.Ranks,
            Settings = Bool() ? fresh.Settings : new Dictionary<string, string>(profile.Settings),
            Pet = Bool() ? fresh.Pet : profile.Pet with { },
            Friends = Bool() ? fresh.Friends : [.. profile.Friends],
            Grid = Bool() ? fresh.Grid : [.. profile.Grid.Select(row => row.ToArray())],
        };
    }

    public Inner Inner() => new(Text(), _random.Next());

    public bool Bool() => _random.Next(2) == 0;

    private string Text()
    {
        int length = _random.Next(0, 40);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            // Mostly ASCII, sometimes multi-byte UTF-8, never a lone surrogate.
            chars[i] = _random.Next(5) == 0 ? (char)_random.Next(0xA0, 0xD7FF) : (char)_random.Next(32, 127);
        }

        return new string(chars);
    }

    private byte[] Bytes()
    {
        var bytes = new byte[_random.Next(0, 64)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private Guid Guid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private DateTimeOffset Offset() =>
        new(new DateTime(_random.NextInt64(new DateTime(1900, 1, 1).Ticks, new DateTime(2200, 1, 1).Ticks)), TimeSpan.FromMinutes(_random.Next(-14 * 60, 14 * 60 + 1)));

    private List<T> List<T>(Func<T> item) => [.. Enumerable.Range(0, _random.Next(0, 6)).Select(_ => item())];

    private Dictionary<string, T> Map<T>(Func<T> value)
    {
        var map = new Dictionary<string, T>();
        int count = _random.Next(0, 5);
        for (int i = 0; i < count; i++)
        {
            map[Text()] = value();
        }

        return map;
    }

    private T? Maybe<T>(Func<T> value)
        where T : class => _random.Next(3) == 0 ? null : value();

    private T Pick<T>(params T[] options) => options[_random.Next(options.Length)];
}
