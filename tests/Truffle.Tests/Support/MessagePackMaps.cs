using System.Buffers;
using MessagePack;

namespace Truffle.Tests.Support;

/// <summary>Writes MessagePack by hand and reads map keys, for wire-format tests.</summary>
internal static class MessagePackMaps
{
    public delegate void WriteAction(ref MessagePackWriter writer);

    public static byte[] Write(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static List<string> Keys(byte[] map)
    {
        var reader = new MessagePackReader(map);
        int count = reader.ReadMapHeader();
        var keys = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            keys.Add(reader.ReadString()!);
            reader.Skip();
        }

        return keys;
    }
}
