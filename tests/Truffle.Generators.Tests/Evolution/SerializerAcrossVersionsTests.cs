using Xunit;

namespace Truffle.Generators.Tests.Evolution;

/// <summary>
/// The rules of docs/schema-evolution.md, each as two versions of one record compiled by two generator runs that
/// exchange a message in both directions through the serializer.
/// </summary>
public sealed class SerializerAcrossVersionsTests
{
    private const string V1 = """[TruffleMessage("notes")] public sealed partial record Memo(string Id);""";
    private static readonly AppVersion s_v1 = AppVersion.Build(V1, """new("m1")""");

    [Fact]
    public void A_member_added_with_a_default_takes_it_from_older_senders_and_older_readers_skip_it()
    {
        var v2 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, string Author = "unknown");""", """new("m2", "ana")""");

        Assert.Equal("Memo { Id = m1, Author = unknown }", v2.Read(s_v1.Write()));
        Assert.Equal("Memo { Id = m2 }", s_v1.Read(v2.Write()));
    }

    [Fact]
    public void A_nullable_member_added_is_null_from_older_senders()
    {
        var v2 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, string? Author, int? Stars);""", """new("m2", "ana", 3)""");

        Assert.Equal("Memo { Id = m1, Author = , Stars =  }", v2.Read(s_v1.Write()));
        Assert.Equal("Memo { Id = m2 }", s_v1.Read(v2.Write()));
    }

    [Fact]
    public void A_member_added_without_a_default_fails_to_decode_from_older_senders_naming_type_and_member()
    {
        var v2 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, string Author);""", """new("m2", "ana")""");

        TruffleSerializationException error = v2.ReadFails(s_v1.Write());
        Assert.Contains("Memo.Author (key 'author') is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal("Memo { Id = m2 }", s_v1.Read(v2.Write()));
    }

    [Fact]
    public void A_required_member_added_fails_to_decode_from_older_senders_even_when_nullable()
    {
        var v2 = AppVersion.Build("""
            [TruffleMessage("notes")]
            public sealed partial record Memo(string Id)
            {
                public required string? Author { get; init; }
            }
            """, """new("m2") { Author = "ana" }""");

        TruffleSerializationException error = v2.ReadFails(s_v1.Write());
        Assert.Contains("Memo.Author (key 'author') is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal("Memo { Id = m2 }", s_v1.Read(v2.Write()));
    }

    [Fact]
    public void A_renamed_member_that_keeps_its_wire_name_travels_both_ways()
    {
        var v1 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, string Author);""", """new("m1", "ana")""");
        var v2 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, [TruffleName("author")] string Writer);""", """new("m2", "bo")""");

        Assert.Equal("Memo { Id = m1, Writer = ana }", v2.Read(v1.Write()));
        Assert.Equal("Memo { Id = m2, Author = bo }", v1.Read(v2.Write()));
    }

    [Fact]
    public void A_renamed_member_without_its_wire_name_is_a_missing_member_both_ways()
    {
        var v1 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, string Author);""", """new("m1", "ana")""");
        var v2 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, string Writer);""", """new("m2", "bo")""");

        Assert.Contains("Memo.Writer (key 'writer')", v2.ReadFails(v1.Write()).Message, StringComparison.Ordinal);
        Assert.Contains("Memo.Author (key 'author')", v1.ReadFails(v2.Write()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_int_widened_to_long_reads_both_ways_while_values_fit()
    {
        var v1 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, int Stars);""", """new("m1", 3)""");
        var v2 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, long Stars);""", """new("m2", 4)""");
        var big = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, long Stars);""", """new("m3", 1L << 40)""");

        Assert.Equal("Memo { Id = m1, Stars = 3 }", v2.Read(v1.Write()));
        Assert.Equal("Memo { Id = m2, Stars = 4 }", v1.Read(v2.Write()));
        Assert.IsType<TruffleSerializationException>(v1.ReadFails(big.Write()));
    }

    [Fact]
    public void An_enum_value_added_reaches_older_readers_as_its_number()
    {
        var v1 = AppVersion.Build("""
            public enum Mood { Calm, Busy }
            [TruffleMessage("notes")] public sealed partial record Memo(string Id, Mood Mood);
            """, """new("m1", Mood.Busy)""");
        var v2 = AppVersion.Build("""
            public enum Mood { Calm, Busy, Away }
            [TruffleMessage("notes")] public sealed partial record Memo(string Id, Mood Mood);
            """, """new("m2", Mood.Away)""");

        Assert.Equal("Memo { Id = m1, Mood = Busy }", v2.Read(v1.Write()));
        Assert.Equal("Memo { Id = m2, Mood = 2 }", v1.Read(v2.Write()));
    }

    [Fact]
    public void A_member_removed_that_had_a_default_is_taken_from_the_default_by_older_readers()
    {
        var v1 = AppVersion.Build("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, string Author = "unknown");""", """new("m1", "ana")""");

        Assert.Equal("Memo { Id = m1, Author = unknown }", v1.Read(s_v1.Write()));
        Assert.Equal("Memo { Id = m1 }", s_v1.Read(v1.Write()));
    }
}
