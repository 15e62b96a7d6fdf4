using MessagePack;
using Truffle.Sync;
using Xunit;

namespace Truffle.Tests.Sync;

/// <summary>The untyped slice map that raw stores keep: hostile bytes are refused, never crash the reader.</summary>
public sealed class RawSliceMapTests
{
    [Theory]
    [InlineData(new byte[] { 0x91, 0x01 })]                 // an array, not a map
    [InlineData(new byte[] { 0x81, 0x01, 0x02 })]           // a key that is not a string
    [InlineData(new byte[] { 0x82, 0xA1, 0x61, 0x01 })]     // a second member missing
    [InlineData(new byte[] { 0x81, 0xA1, 0x61, 0x01, 0x00 })] // trailing bytes
    public void Malformed_maps_are_refused(byte[] bytes) =>
        Assert.Throws<TruffleSerializationException>(() => RawSliceMap.Read(bytes));

    [Fact]
    public void A_deeply_nested_value_is_kept_verbatim_without_overflowing_the_stack()
    {
        // The raw store judges the map, not its values: a typed reader (or the tool's JSON conversion) applies the
        // serializer's depth limit when it reads the value.
        const int depth = 200_000;
        byte[] value = [.. Enumerable.Repeat((byte)0x91, depth), 0x01];
        byte[] bytes = [0x81, 0xA1, 0x61, .. value];

        KeyValuePair<string, byte[]> member = Assert.Single(RawSliceMap.Read(bytes));

        Assert.Equal("a", member.Key);
        Assert.Equal(value, member.Value);
    }

    [Fact]
    public void A_delta_replaces_the_members_it_carries_and_appends_new_ones_in_order()
    {
        var members = RawSliceMap.Read(MessagePackSerializer.ConvertFromJson("""{"a":1,"b":"x"}"""));

        List<string> carried = RawSliceMap.Apply(members, MessagePackSerializer.ConvertFromJson("""{"b":"y","c":true}"""));

        Assert.Equal(["b", "c"], carried);
        Assert.Equal("""{"a":1,"b":"y","c":true}""", MessagePackSerializer.ConvertToJson(RawSliceMap.Write(members)));
    }
}
