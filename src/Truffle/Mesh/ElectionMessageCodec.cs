namespace Truffle.Mesh;

/// <summary>STUB until the election branch lands.</summary>
internal static class ElectionMessageCodec
{
    public static byte[] Encode(ElectionMessage message) => throw new NotImplementedException();

    public static bool TryRead(ReadOnlyMemory<byte> payload, out ElectionMessage message) => throw new NotImplementedException();
}
