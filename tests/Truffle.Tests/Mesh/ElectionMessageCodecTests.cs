using System.Buffers;
using MessagePack;
using Truffle.Mesh;
using Xunit;

namespace Truffle.Tests.Mesh;

public sealed class ElectionMessageCodecTests
{
    [Theory]
    [InlineData(0, 1UL, false)]
    [InlineData(1, 42UL, false)]
    [InlineData(2, 42UL, true)]
    [InlineData(2, 41UL, false)]
    [InlineData(3, ElectionMessageCodec.MaxTerm, false)]
    [InlineData(4, 7UL, true)]
    [InlineData(5, 0UL, false)]
    [InlineData(6, 300UL, false)]
    public void Every_message_round_trips(byte kind, ulong term, bool granted)
    {
        var message = new ElectionMessage((ElectionMessageKind)kind, term, granted);
        byte[] payload = ElectionMessageCodec.Encode(message);

        Assert.True(ElectionMessageCodec.TryRead(payload, out ElectionMessage read));
        Assert.Equal(message, read);
    }

    [Fact]
    public void A_vote_carries_its_candidate()
    {
        var vote = new ElectionMessage(ElectionMessageKind.Vote, 12, Granted: true, "device-a");

        Assert.True(ElectionMessageCodec.TryRead(ElectionMessageCodec.Encode(vote), out ElectionMessage read));
        Assert.Equal(vote, read);
    }

    [Fact]
    public void A_message_is_a_small_array_of_kind_term_and_granted()
    {
        byte[] payload = ElectionMessageCodec.Encode(new ElectionMessage(ElectionMessageKind.Claim, 5));

        Assert.Equal([0x93, 0x03, 0x05, 0xc2], payload);
    }

    [Fact]
    public void Trailing_fields_from_a_newer_version_are_skipped()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write((byte)ElectionMessageKind.Heartbeat);
        writer.Write(9UL);
        writer.Write(false);
        writer.Write("future");
        writer.WriteMapHeader(0);
        writer.Flush();

        Assert.True(ElectionMessageCodec.TryRead(buffer.WrittenMemory, out ElectionMessage read));
        Assert.Equal(new ElectionMessage(ElectionMessageKind.Heartbeat, 9), read);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xc0 })]                         // nil
    [InlineData(new byte[] { 0x92, 0x00, 0x01 })]             // two fields
    [InlineData(new byte[] { 0x93, 0x09, 0x01, 0xc2 })]       // unknown kind
    [InlineData(new byte[] { 0x93, 0x07, 0x01, 0xc3 })]       // a vote that names nobody
    [InlineData(new byte[] { 0x94, 0x07, 0x01, 0xc3, 0xa0 })] // a vote for the empty id
    [InlineData(new byte[] { 0x93, 0x00, 0xcf, 0x40, 0, 0, 0, 0, 0, 0, 1, 0xc2 })] // a term above MaxTerm
    [InlineData(new byte[] { 0x93, 0x00, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc2 })] // 2^64 - 1
    [InlineData(new byte[] { 0x93, 0xff, 0x01, 0xc2 })]       // negative kind
    [InlineData(new byte[] { 0x93, 0x00, 0xff, 0xc2 })]       // negative term
    [InlineData(new byte[] { 0x93, 0x00, 0x01, 0x01 })]       // granted not a bool
    [InlineData(new byte[] { 0x93, 0x00, 0x01 })]             // truncated
    [InlineData(new byte[] { 0x93, 0x00, 0xcf, 0x01 })]       // truncated uint64
    [InlineData(new byte[] { 0xdd, 0xff, 0xff, 0xff, 0xff })] // huge array header
    [InlineData(new byte[] { 0x94, 0x00, 0x01, 0xc3, 0xc1 })] // trailing field is the never-used byte
    public void Malformed_payloads_are_refused(byte[] payload)
    {
        Assert.False(ElectionMessageCodec.TryRead(payload, out ElectionMessage read));
        Assert.Equal(default, read);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(1234);
        byte[] valid = ElectionMessageCodec.Encode(new ElectionMessage(ElectionMessageKind.PreVoteReply, 12345678, true));
        for (int i = 0; i < 20_000; i++)
        {
            byte[] payload;
            if (i % 2 == 0)
            {
                payload = new byte[random.Next(0, 24)];
                random.NextBytes(payload);
            }
            else
            {
                // Mutations of a valid payload reach the deeper branches more often than pure noise.
                payload = [.. valid];
                payload[random.Next(payload.Length)] = (byte)random.Next(256);
                payload = payload[..random.Next(payload.Length + 1)];
            }

            _ = ElectionMessageCodec.TryRead(payload, out _);
        }
    }
}
