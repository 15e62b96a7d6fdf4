using System.Buffers;
using MessagePack;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Generated;

/// <summary>The wire format is a contract: hand-written MessagePack must read, and our bytes must be what we say.</summary>
public sealed class WireCompatibilityTests
{
    [Fact]
    public void A_message_is_written_as_a_map_of_camel_case_keys_in_declaration_order()
    {
        byte[] bytes = TruffleSerializer.Serialize(new Inner("ana", 7));

        byte[] expected = [0x82, 0xA4, .. "name"u8, 0xA3, .. "ana"u8, 0xA5, .. "value"u8, 0x07];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Hand_written_camel_case_map_in_any_order_deserializes()
    {
        byte[] bytes = MessagePackMaps.Write((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(2);
            w.Write("value");
            w.Write(42);
            w.Write("name");
            w.Write("bo");
        });

        Assert.Equal(new Inner("bo", 42), TruffleSerializer.Deserialize<Inner>(bytes));
    }

    [Fact]
    public void Unknown_keys_are_skipped_whatever_their_value()
    {
        byte[] bytes = MessagePackMaps.Write((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(6);
            w.Write("extra");
            w.WriteArrayHeader(2);
            w.Write(1);
            w.WriteMapHeader(1);
            w.Write("x");
            w.WriteNil();
            w.Write("name");
            w.Write("cy");
            w.Write(12);
            w.Write("an integer key");
            w.Write("Name");
            w.Write("wrong case is another key");
            w.Write("value");
            w.Write(-3);
            w.Write("later");
            w.Write(new byte[] { 1, 2, 3 });
        });

        Assert.Equal(new Inner("cy", -3), TruffleSerializer.Deserialize<Inner>(bytes));
    }

    [Fact]
    public void Missing_keys_of_value_types_and_nullable_members_take_their_defaults()
    {
        Optional value = TruffleSerializer.Deserialize<Optional>(new byte[] { 0x80 });

        Assert.Null(value.MaybeText);
        Assert.Equal(0, value.Int);
        Assert.False(value.Tags.IsDefault);
        Assert.Empty(value.Tags);
        Assert.Null(value.MaybeInt);
        Assert.Null(value.MaybeNames);
    }

    [Fact]
    public void A_missing_non_nullable_reference_member_without_a_default_fails_naming_the_type_and_member()
    {
        byte[] bytes = MessagePackMaps.Write((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(1);
            w.Write("value");
            w.Write(7);
        });

        var error = Assert.Throws<TruffleSerializationException>(() => TruffleSerializer.Deserialize<Inner>(bytes));
        Assert.Contains("Inner.Name (key 'name') is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_keys_take_the_constructor_defaults()
    {
        WithDefaults value = TruffleSerializer.Deserialize<WithDefaults>(new byte[] { 0x80 });

        Assert.Equal(new WithDefaults("idle", 100, Mood.Busy), value);
    }

    [Fact]
    public void Missing_keys_keep_the_initializers_of_settable_members()
    {
        Settings value = TruffleSerializer.Deserialize<Settings>(new byte[] { 0x80 });

        Assert.Equal("light", value.Theme);
        Assert.Equal(1.0, value.Zoom);
        Assert.Empty(value.Recent);
        Assert.Equal("never sent", value.Secret);
    }

    [Fact]
    public void Nil_for_a_non_nullable_string_reads_as_empty()
    {
        byte[] bytes = MessagePackMaps.Write((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(1);
            w.Write("name");
            w.WriteNil();
        });

        Assert.Equal(string.Empty, TruffleSerializer.Deserialize<Inner>(bytes).Name);
    }

    [Theory]
    [InlineData(new byte[] { 0x82, 0xA4 })]
    [InlineData(new byte[] { 0x81, 0xA4, 0x6E, 0x61, 0x6D, 0x65, 0x07 })]
    [InlineData(new byte[] { 0xDF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0xC1 })]
    public void Malformed_bytes_throw_a_serialization_exception(byte[] bytes)
    {
        Assert.Throws<TruffleSerializationException>(() => TruffleSerializer.Deserialize<Inner>(bytes));
    }

    [Fact]
    public void Nesting_deeper_than_the_untrusted_data_limit_is_refused()
    {
        byte[] bytes = MessagePackMaps.Write((ref MessagePackWriter w) =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                w.WriteMapHeader(1);
                w.Write("children");
                w.WriteArrayHeader(1);
            }

            w.WriteNil();
        });

        var error = Assert.Throws<TruffleSerializationException>(() => TruffleSerializer.Deserialize<TreeNode>(bytes));
        Assert.IsType<InsufficientExecutionStackException>(error.InnerException);
    }

    [Fact]
    public void A_recursive_type_within_the_depth_limit_round_trips()
    {
        var tree = new TreeNode("root", [new TreeNode("a", []), new TreeNode("b", [new TreeNode("c", [])])]);

        TreeNode copy = TruffleSerializer.Deserialize<TreeNode>(TruffleSerializer.Serialize(tree));

        Assert.True(Truffle.Wire.ValueEquality.Annotated(tree, copy));
    }

    [Fact]
    public void Our_encoding_reads_back_through_message_pack_primitives()
    {
        var when = new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.FromHours(2));
        Everything value = new ValueFactory(3).Everything() with { WhenWithOffset = when, Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e") };

        var reader = new MessagePackReader(TruffleSerializer.Serialize(value));
        int count = reader.ReadMapHeader();
        string? guid = null;
        DateTime? utc = null;
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadString()!;
            if (key == "id")
            {
                guid = reader.ReadString();
            }
            else if (key == "whenWithOffset")
            {
                Assert.Equal(2, reader.ReadArrayHeader());
                utc = reader.ReadDateTime();
                Assert.Equal(120, reader.ReadInt16());
            }
            else
            {
                reader.Skip();
            }
        }

        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", guid);
        Assert.Equal(when.Ticks, utc!.Value.Ticks);
    }
}
