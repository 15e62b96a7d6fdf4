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

    [Theory]
    [InlineData(0x91)]  // arrays of one element
    [InlineData(0x81)]  // maps of one member, each keyed by the next level
    public void A_value_nested_deeper_than_the_serializers_limit_is_refused_with_a_clear_error(byte level)
    {
        int limit = TruffleSerializer.Options.Security.MaximumObjectGraphDepth;
        byte[] Slice(int depth) => [0x81, 0xA1, 0x61, .. Nested(level, depth)];

        // The slice's map is one level, as for a generated formatter: its values may nest limit - 1 deep.
        KeyValuePair<string, byte[]> member = Assert.Single(RawSliceMap.Read(Slice(limit - 1)));
        Assert.Equal(Nested(level, limit - 1), member.Value);
        var refused = Assert.Throws<TruffleSerializationException>(() => RawSliceMap.Read(Slice(limit)));
        Assert.Contains($"nests deeper than {limit} levels", refused.Message, StringComparison.Ordinal);

        // Far deeper (the size limit allows ~1 MB of one-byte headers): refused the same way, the stack intact.
        Assert.Throws<TruffleSerializationException>(() => RawSliceMap.Read(Slice(200_000)));
    }

    // depth nested arrays (0x91) or maps (0x81, keyed 0 at each level) around the integer 1.
    private static byte[] Nested(byte level, int depth)
    {
        var bytes = new List<byte>(depth * 2 + 1);
        for (int i = 0; i < depth; i++)
        {
            bytes.Add(level);
            if (level == 0x81)
            {
                bytes.Add(0x00);
            }
        }

        bytes.Add(0x01);
        return [.. bytes];
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
