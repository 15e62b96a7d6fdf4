using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Truffle.Sync;
using Truffle.Tests.Support;
using Xunit;
using Truffle.Wire;

namespace Truffle.Tests.Sync;

/// <summary>The sync wire format: round trips, and garbage that never throws.</summary>
public sealed class SyncMessageCodecTests
{
    private const int Cases = 2_000;

    private static readonly string[] KindNames = ["delta", "snapshot", "retired", "digest", "empty digest", "request", "goodbye"];

    public static TheoryData<string> Kinds => [.. KindNames];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_round_trips(string kind)
    {
        SyncMessage message = Sample(kind);

        Assert.True(SyncMessageCodec.TryRead(SyncMessageCodec.Encode(message), out SyncMessage? read));

        Assert.Equal(SyncMessageCodec.Encode(message), SyncMessageCodec.Encode(read!));
        Assert.Equal(message.GetType(), read!.GetType());
        if (message is DigestMessage digest)
        {
            Assert.Equal(digest.Entries.ToArray(), ((DigestMessage)read).Entries.ToArray());
        }
    }

    [Fact]
    public void Random_bytes_truncations_and_bit_flips_are_refused_without_throwing()
    {
        var random = new Random(42);
        string[] kinds = KindNames;
        int refused = 0;
        for (int i = 0; i < Cases; i++)
        {
            byte[] valid = SyncMessageCodec.Encode(Sample(kinds[i % kinds.Length]));
            byte[] garbage = (i % 3) switch
            {
                0 => RandomBytes(random, random.Next(64)),
                1 => valid[..random.Next(valid.Length)],
                _ => Flip(random, valid),
            };

            if (!SyncMessageCodec.TryRead(garbage, out SyncMessage? read))
            {
                refused++;
                Assert.Null(read);
            }
        }

        Assert.True(refused > Cases / 2, $"only {refused} of {Cases} refused");
    }

    [Fact]
    public void An_engine_survives_garbage_and_counts_it_as_malformed()
    {
        using var malformed = new SyncCounter(TruffleMetrics.Shared.Sync.Rejected, string.Empty, "malformed");
        var time = new FakeTimeProvider();
        var output = new NullOutput();
        using var engine = new SyncEngine("me", 1, output, time, new SyncOptions(), NullLogger.Instance);
        engine.Store<Status>();
        var random = new Random(7);

        for (int i = 0; i < Cases; i++)
        {
            engine.Receive("peer", RandomBytes(random, random.Next(48)));
        }

        // Well-formed framing around a slice that is not a Status.
        engine.Receive("peer", SyncMessageCodec.Encode(new SnapshotMessage("sync-status", "peer", 1, 1, new byte[] { 0xc1, 0x00 })));

        Assert.True(malformed.Total >= Cases / 2, $"malformed {malformed.Total}");
        Assert.Empty(engine.Store<Status>().Remotes);
    }

    private static SyncMessage Sample(string kind) => kind switch
    {
        "delta" => new DeltaMessage("sync-status", "dev-a", 3, 7, 8, new MemberMask(0b101), new byte[] { 0x81, 0xa1, 0x78, 0x01 }),
        "snapshot" => new SnapshotMessage("sync-status", "dev-a", 3, 8, TruffleSerializer.Serialize(new Status("s", 1, ["t"], 2))),
        "retired" => new SnapshotMessage("sync-status", "dev-a", 3, 9, ReadOnlyMemory<byte>.Empty),
        "digest" => new DigestMessage([new("sync-status", "dev-a", 3, 8), new("sync-cursor", "dev-b", ulong.MaxValue, 0)]),
        "empty digest" => new DigestMessage([]),
        "request" => new RequestMessage("sync-status", "dev-a"),
        "goodbye" => new GoodbyeMessage("dev-a", 3),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        if (length > 1 && random.Next(2) == 0)
        {
            bytes[0] = (byte)(0x90 + random.Next(9)); // a plausible array header, to get past the first check
            bytes[1] = (byte)random.Next(1, 6);
        }

        return bytes;
    }

    private static byte[] Flip(Random random, byte[] valid)
    {
        byte[] copy = [.. valid];
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private sealed class NullOutput : ISyncOutput
    {
        public void Broadcast(ReadOnlyMemory<byte> message)
        {
        }

        public void Send(string deviceId, ReadOnlyMemory<byte> message)
        {
        }
    }
}
