using System.Buffers.Binary;
using System.Text;
using Truffle.Sidecar;

namespace Truffle.Fuzz.Targets;

/// <summary><see cref="BridgeHeader.ReadAsync"/>: a header, or <see cref="SidecarException"/> for a bad one.</summary>
internal sealed class BridgeHeaderTarget : FuzzTarget
{
    public override string Name => "bridge-header";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        yield return ("incoming", Encode(BridgeDirection.Incoming, 9417, "", "100.64.0.2:51234", "node-abc"));
        yield return ("outgoing", Encode(BridgeDirection.Outgoing, 9417, "dial-17", "100.64.0.3:9417", "node-def"));
    }

    protected override void Decode(ReadOnlyMemory<byte> input)
    {
        using var stream = new ScriptedStream(input);
        // The stream completes synchronously, so waiting here blocks nothing.
        BridgeHeader.ReadAsync(stream, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    protected override bool IsDocumented(Exception exception) => exception is SidecarException;

    // The sidecar writes this header (sidecar/internal/bridge); SPEC §3 is the layout.
    private static byte[] Encode(BridgeDirection direction, ushort port, string requestId, string remote, string identity)
    {
        using var output = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(number, BridgeHeader.Magic);
        output.Write(number);
        output.WriteByte(BridgeHeader.Version);
        output.Write(Enumerable.Range(1, BridgeHeader.TokenLength).Select(i => (byte)i).ToArray());
        output.WriteByte((byte)direction);
        BinaryPrimitives.WriteUInt16BigEndian(number, port);
        output.Write(number[..2]);
        foreach (string text in (string[])[requestId, remote, identity])
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteUInt16BigEndian(number, (ushort)utf8.Length);
            output.Write(number[..2]);
            output.Write(utf8);
        }

        return output.ToArray();
    }
}
