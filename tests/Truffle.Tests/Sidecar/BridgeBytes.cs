using System.Text;

namespace Truffle.Tests.Sidecar;

/// <summary>Writes bridge headers byte by byte, as SPEC §3 lays them out, independently of the reader under test.</summary>
internal static class BridgeBytes
{
    public static byte[] Header(
        byte[] token, byte direction = 0x01, ushort port = 9417, string requestId = "", string remote = "127.0.0.3:40000",
        string identity = "", uint magic = 0x54524646, byte version = 0x01)
    {
        var bytes = new List<byte>
        {
            (byte)(magic >> 24), (byte)(magic >> 16), (byte)(magic >> 8), (byte)magic,
            version,
        };
        bytes.AddRange(token);
        bytes.Add(direction);
        bytes.Add((byte)(port >> 8));
        bytes.Add((byte)port);
        foreach (string field in new[] { requestId, remote, identity })
        {
            AddString(bytes, Encoding.UTF8.GetBytes(field));
        }

        return [.. bytes];
    }

    public static void AddString(List<byte> bytes, byte[] value)
    {
        bytes.Add((byte)(value.Length >> 8));
        bytes.Add((byte)value.Length);
        bytes.AddRange(value);
    }

    public static byte[] Token(byte seed) => Enumerable.Range(0, 32).Select(i => (byte)(seed + i)).ToArray();
}
