namespace Truffle.Mesh;

/// <summary>STUB until the election branch lands.</summary>
internal static class ElectionMessageCodec
{
    public static byte[] Encode(ElectionMessage message) => throw new NotImplementedException();

    public static bool TryRead(ReadOnlySpan<byte> payload, out ElectionMessage message) => throw new NotImplementedException();
}
