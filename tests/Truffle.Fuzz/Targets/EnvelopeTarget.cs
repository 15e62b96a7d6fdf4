using System.Buffers;
using MessagePack;
using Truffle.Fuzz.Records;
using Truffle.Mesh;
using Truffle.Wire;

namespace Truffle.Fuzz.Targets;

/// <summary>
/// <see cref="EnvelopeCodec.TryRead"/> as the connection's read loop calls it: every envelope of one WebSocket
/// message until the end or a framing error. It never throws; Ok and Invalid leave the reader past the value.
/// </summary>
internal sealed class EnvelopeTarget : FuzzTarget
{
    public override string Name => "envelope";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        byte[] payload = TruffleSerializer.Serialize(new Leaf("note", 7));
        var app = new Envelope(EnvelopeKind.App, "chat", "note", "device-a", "", 1, 3, 0, EnvelopeFlags.None, payload);
        var request = new Envelope(EnvelopeKind.App, "chat", "ask", "device-a", "device-b", 2, 3, 42, EnvelopeFlags.Request, payload, 5000);
        var election = new Envelope(
            EnvelopeKind.Control, "truffle", "election", "device-b", "device-a", 9, 4, 0, EnvelopeFlags.None,
            ElectionMessageCodec.Encode(new ElectionMessage(ElectionMessageKind.Claim, 4)));
        yield return ("app-broadcast", Encode(app));
        yield return ("request-with-timeout", Encode(request));
        yield return ("control-election", Encode(election));
        yield return ("two-envelopes", [.. Encode(app), .. Encode(request)]);
    }

    protected override void Decode(ReadOnlyMemory<byte> input)
    {
        ReadAll(new ReadOnlySequence<byte>(input), EnvelopeCodec.NewStringCache());
        ReadAll(SplitSequence.Of(input), strings: null);
    }

    private static void ReadAll(ReadOnlySequence<byte> message, Utf8StringCache? strings)
    {
        var reader = new MessagePackReader(message);
        while (!reader.End)
        {
            long before = reader.Consumed;
            EnvelopeReadStatus status = EnvelopeCodec.TryRead(ref reader, EnvelopeLimits.Default, strings, out _, out _);
            if (status == EnvelopeReadStatus.Malformed)
            {
                return;
            }

            // The read loop relies on progress: an Ok or Invalid envelope that consumed nothing would spin forever.
            if (reader.Consumed == before)
            {
                throw new InvalidOperationException($"TryRead returned {status} without consuming anything.");
            }
        }
    }

    private static byte[] Encode(in Envelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>();
        EnvelopeCodec.Write(buffer, envelope);
        return buffer.WrittenSpan.ToArray();
    }
}
