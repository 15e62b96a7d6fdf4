using System.Reflection;
using Xunit;

namespace Truffle.Generators.Tests.Evolution;

/// <summary>
/// A slice whose second version inserts a member in the middle: deltas and snapshots cross both ways, and each side
/// reports the members that changed by its own member names, whatever their positions on the other side.
/// </summary>
public sealed class SlicesAcrossVersionsTests
{
    private const string Probe = """
        namespace Contoso.App
        {
            public static class Probe
            {
                public static byte[] Delta() => global::Truffle.Sync.SliceDelta.Create(Sample.Previous, Sample.Current).Values.ToArray();

                public static byte[] Snapshot() => global::Truffle.TruffleSerializer.Serialize(Sample.Current);

                public static string Apply(byte[] values)
                {
                    var delta = global::Truffle.Sync.SliceDelta.FromValues(values);
                    Presence next = delta.Apply(Sample.Previous, out global::Truffle.Sync.MemberMask applied);
                    var names = global::Truffle.Sync.SliceDelta.FromValues(values, applied).ChangedMemberNames<Presence>();
                    return next + " changed: " + string.Join(",", names);
                }

                public static string Read(byte[] bytes) => global::Truffle.TruffleSerializer.Deserialize<Presence>(bytes).ToString();
            }
        }
        """;

    private static readonly Type s_v1 = Build(
        """[SyncedSlice("presence")] public sealed partial record Presence(string Status, int Battery);""",
        """new("online", 80)""",
        """new("online", 79)""");

    private static readonly Type s_v2 = Build(
        """[SyncedSlice("presence")] public sealed partial record Presence(string Status, string Mood = "calm", int Battery = 0);""",
        """new("online", "calm", 80)""",
        """new("online", "away", 79)""");

    [Fact]
    public void A_delta_of_the_older_version_applies_to_the_newer_by_key_not_position()
    {
        Assert.Equal("Presence { Status = online, Mood = calm, Battery = 79 } changed: Battery", Call(s_v2, "Apply", Call<byte[]>(s_v1, "Delta")));
    }

    [Fact]
    public void A_delta_of_the_newer_version_applies_to_the_older_which_skips_the_member_it_does_not_know()
    {
        Assert.Equal("Presence { Status = online, Battery = 79 } changed: Battery", Call(s_v1, "Apply", Call<byte[]>(s_v2, "Delta")));
    }

    [Fact]
    public void Snapshots_cross_both_ways_and_the_inserted_member_takes_its_default()
    {
        Assert.Equal("Presence { Status = online, Mood = calm, Battery = 79 }", Call(s_v2, "Read", Call<byte[]>(s_v1, "Snapshot")));
        Assert.Equal("Presence { Status = online, Battery = 79 }", Call(s_v1, "Read", Call<byte[]>(s_v2, "Snapshot")));
    }

    private static Type Build(string declaration, string previous, string current) =>
        Assemblies.Load(Assemblies.Build(
            "Contoso.App",
            [],
            $"using Truffle;\nnamespace Contoso.App;\n{declaration}\npublic static class Sample {{ public static Presence Previous => {previous}; public static Presence Current => {current}; }}",
            Probe)).GetType("Contoso.App.Probe", throwOnError: true)!;

    private static string Call(Type probe, string method, byte[] bytes) => Call<string>(probe, method, bytes);

    private static T Call<T>(Type probe, string method, params object[] arguments) =>
        (T)probe.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments)!;
}
