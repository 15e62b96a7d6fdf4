using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Generated;

public sealed class RoundTripTests
{
    [Fact]
    public void Every_supported_member_type_round_trips_over_many_random_values()
    {
        for (int seed = 0; seed < 500; seed++)
        {
            Everything original = new ValueFactory(seed).Everything();

            Everything copy = TruffleSerializer.Deserialize<Everything>(TruffleSerializer.Serialize(original));

            Assert.True(ValueEquality.Annotated(original, copy), $"seed {seed}: {original} != {copy}");
        }
    }

    [Fact]
    public void Value_equality_sees_a_difference_inside_a_nested_collection()
    {
        Everything original = new ValueFactory(1).Everything() with { Jagged = [[1, 2], [3]] };
        Everything changed = original with { Jagged = [[1, 2], [4]] };

        Assert.False(ValueEquality.Annotated(original, changed));
        Assert.True(ValueEquality.Annotated(original, original with { Jagged = [[1, 2], [3]] }));
    }

    [Fact]
    public void Nulls_round_trip_as_nulls()
    {
        Everything original = new ValueFactory(2).Everything() with { MaybeText = null, MaybeInt = null, MaybeMood = null, MaybeNested = null };

        Everything copy = TruffleSerializer.Deserialize<Everything>(TruffleSerializer.Serialize(original));

        Assert.Null(copy.MaybeText);
        Assert.Null(copy.MaybeInt);
        Assert.Null(copy.MaybeMood);
        Assert.Null(copy.MaybeNested);
    }

    [Fact]
    public void A_nominal_class_round_trips_settable_members_and_leaves_ignored_and_computed_ones_off_the_wire()
    {
        var original = new Settings { Theme = "dark", FontSize = 14, Recent = ["a", "b"], Zoom = 1.5, Secret = "s3cret" };

        byte[] bytes = TruffleSerializer.Serialize(original);
        Settings copy = TruffleSerializer.Deserialize<Settings>(bytes);

        Assert.Equal("dark", copy.Theme);
        Assert.Equal(14, copy.FontSize);
        Assert.Equal(["a", "b"], copy.Recent);
        Assert.Equal(1.5, copy.Zoom);
        Assert.Equal("never sent", copy.Secret);
        Assert.Equal(28, copy.Computed);
        Assert.Equal(["theme", "fontSize", "recent", "zoom"], MessagePackMaps.Keys(bytes));
    }

    [Fact]
    public void A_record_struct_and_a_type_nested_in_partial_classes_round_trip()
    {
        var original = new Outer.Middle.Deeply("deep", new Point(3, -4));

        Outer.Middle.Deeply copy = TruffleSerializer.Deserialize<Outer.Middle.Deeply>(TruffleSerializer.Serialize(original));

        Assert.Equal(original, copy);
    }

    [Fact]
    public void Nil_reads_as_null_for_a_reference_type()
    {
        Assert.Null(TruffleSerializer.Deserialize<Inner?>(new byte[] { 0xC0 }));
    }

    [Fact]
    public void The_assembly_registers_its_resolver_without_user_code()
    {
        var formatter = TruffleSerializer.GetFormatter<Inner>();

        Assert.Same(Inner.TruffleFormatter.Instance, formatter);
    }

    [Fact]
    public void A_type_without_a_formatter_gives_a_clear_error()
    {
        var error = Assert.Throws<TruffleSerializationException>(() => TruffleSerializer.Serialize(new NotAnnotated()));

        Assert.Contains("TruffleMessage", error.Message, StringComparison.Ordinal);
    }

    private sealed class NotAnnotated;
}
