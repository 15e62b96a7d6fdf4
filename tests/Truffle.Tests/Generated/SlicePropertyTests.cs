using Truffle.Sync;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Generated;

/// <summary>Properties of the generated slice diff and apply, checked over many seeded random slices.</summary>
public sealed class SlicePropertyTests
{
    private const int Cases = 1_000;

    [Fact]
    public void Applying_the_diff_of_two_slices_to_the_first_gives_the_second()
    {
        for (int seed = 0; seed < Cases; seed++)
        {
            var values = new ValueFactory(seed);
            Profile before = values.Profile();
            Profile after = values.Mutate(before);

            SliceDelta delta = SliceDelta.Create(before, after);
            Profile applied = SliceDelta.FromValues(delta.Values).Apply(before, out MemberMask carried);

            Assert.True(ValueEquality.Annotated(after, applied), $"seed {seed}");
            Assert.Equal(delta.Changed, carried);
        }
    }

    [Fact]
    public void A_diff_holds_exactly_the_members_that_differ()
    {
        for (int seed = 0; seed < Cases; seed++)
        {
            var values = new ValueFactory(seed);
            Profile before = values.Profile();
            Profile after = values.Mutate(before);

            SliceDelta delta = SliceDelta.Create(before, after);

            string[] changed = [.. delta.ChangedMemberNames<Profile>()];
            string[] expected = [.. ExpectedChanges(before, after)];
            Assert.Equal(expected, changed);
            Assert.Equal(changed.Length, MessagePackMaps.Keys(delta.Values.ToArray()).Count);
        }
    }

    [Fact]
    public void An_unchanged_slice_gives_an_empty_diff_even_with_equal_but_distinct_collections()
    {
        for (int seed = 0; seed < Cases; seed++)
        {
            Profile before = new ValueFactory(seed).Profile();
            Profile copy = before with
            {
                Tags = [.. before.Tags],
                Avatar = [.. before.Avatar],
                Settings = new Dictionary<string, string>(before.Settings),
                Friends = [.. before.Friends.Select(f => f with { })],
                Grid = [.. before.Grid.Select(row => row.ToArray())],
            };

            SliceDelta delta = SliceDelta.Create(before, copy);

            Assert.True(delta.IsEmpty, $"seed {seed}: {string.Join(", ", delta.ChangedMemberNames<Profile>())}");
            Assert.Equal([0x80], delta.Values.ToArray());
        }
    }

    [Fact]
    public void A_delta_from_nothing_carries_every_member_and_applies_over_any_slice()
    {
        var values = new ValueFactory(7);
        Profile whole = values.Profile();

        SliceDelta snapshot = SliceDelta.Create<Profile>(null, whole);
        Profile applied = snapshot.Apply(values.Profile());

        Assert.Equal(16, snapshot.Changed.Count);
        Assert.True(ValueEquality.Annotated(whole, applied));
    }

    [Fact]
    public void A_one_field_change_travels_as_that_field_only()
    {
        var before = new Presence("online", 80, ["a.txt", "b.txt"]);
        Presence after = before with { Battery = 79 };

        SliceDelta delta = SliceDelta.Create(before, after);

        Assert.Equal(["Battery"], delta.ChangedMemberNames<Presence>().ToArray());
        byte[] expected = [0x81, 0xA7, .. "battery"u8, 79];
        Assert.Equal(expected, delta.Values.ToArray());
        Assert.Equal(after, delta.Apply(before) with { OpenFiles = after.OpenFiles });
    }

    [Fact]
    public void Apply_skips_unknown_members_so_a_newer_peer_can_add_fields()
    {
        byte[] fromNewerPeer = MessagePackMaps.Write((ref MessagePack.MessagePackWriter w) =>
        {
            w.WriteMapHeader(2);
            w.Write("status");
            w.Write("away");
            w.Write("brandNewField");
            w.Write(true);
        });
        var before = new Presence("online", 80, []);

        Presence after = SliceDelta.FromValues(fromNewerPeer).Apply(before, out MemberMask applied);

        Assert.Equal("away", after.Status);
        Assert.Equal(80, after.Battery);
        Assert.Equal(new MemberMask(1), applied);
    }

    [Fact]
    public void A_malformed_delta_throws_and_leaves_the_slice_as_it_was()
    {
        var before = new Presence("online", 80, []);

        Assert.Throws<TruffleSerializationException>(() => SliceDelta.FromValues(new byte[] { 0x81, 0xA6 }).Apply(before));
        Assert.Equal(new Presence("online", 80, []), before);
    }

    private static IEnumerable<string> ExpectedChanges(Profile a, Profile b)
    {
        if (a.Name != b.Name) yield return nameof(Profile.Name);
        if (a.Nickname != b.Nickname) yield return nameof(Profile.Nickname);
        if (a.Age != b.Age) yield return nameof(Profile.Age);
        if (!a.Score.Equals(b.Score)) yield return nameof(Profile.Score);
        if (a.Online != b.Online) yield return nameof(Profile.Online);
        if (a.Mood != b.Mood) yield return nameof(Profile.Mood);
        if (a.Floor != b.Floor) yield return nameof(Profile.Floor);
        if (!a.Seen.EqualsExact(b.Seen)) yield return nameof(Profile.Seen);
        if (a.Session != b.Session) yield return nameof(Profile.Session);
        if (!a.Avatar.AsSpan().SequenceEqual(b.Avatar)) yield return nameof(Profile.Avatar);
        if (!a.Tags.SequenceEqual(b.Tags)) yield return nameof(Profile.Tags);
        if (!a.Ranks.SequenceEqual(b.Ranks)) yield return nameof(Profile.Ranks);
        if (a.Settings.Count != b.Settings.Count || a.Settings.Except(b.Settings).Any()) yield return nameof(Profile.Settings);
        if (a.Pet != b.Pet) yield return nameof(Profile.Pet);
        if (!a.Friends.SequenceEqual(b.Friends)) yield return nameof(Profile.Friends);
        if (a.Grid.Length != b.Grid.Length || a.Grid.Zip(b.Grid).Any(p => !p.First.SequenceEqual(p.Second))) yield return nameof(Profile.Grid);
    }
}
