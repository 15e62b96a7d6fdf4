using System.Collections.Immutable;
using Truffle.Tests.Sync;

namespace Truffle.Tests.Simulation;

/// <summary>Generic helpers over slice types, through their generated static members.</summary>
internal static class Slices
{
    public static bool Same<T>(T? left, T? right)
        where T : ISyncedSlice<T> => T.ValueEquals(left, right);

    public static ImmutableArray<string> MemberNames<T>()
        where T : ISyncedSlice<T> => T.MemberNames;

    /// <summary>A random edit of a status from a small space of values, so some edits change nothing.</summary>
    public static Status Edit(Random random, Status? current)
    {
        Status status = current ?? new Status("idle", 50, [], 0);
        return random.Next(5) switch
        {
            0 => status with { Text = Pick(random, "idle", "busy", "away") },
            1 => status with { Battery = random.Next(4) * 25 },
            2 => status with { Tags = [.. Enumerable.Range(0, random.Next(3)).Select(i => Pick(random, "a", "b", "c"))] },
            3 => status with { Counter = status.Counter + 1 },
            _ => status with { Text = Pick(random, "idle", "busy"), Counter = status.Counter + random.Next(2) },
        };
    }

    private static string Pick(Random random, params string[] values) => values[random.Next(values.Length)];
}
