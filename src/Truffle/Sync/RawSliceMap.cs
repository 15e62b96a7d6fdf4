using System.Buffers;
using MessagePack;
using Truffle.Wire;

namespace Truffle.Sync;

/// <summary>
/// A slice as the wire carries it, without its type: a MessagePack map of member name to encoded value. Lets a
/// device replicate a store it has no slice type for, since a delta is the map of the changed members and applying
/// it is replacing those keys.
/// </summary>
internal static class RawSliceMap
{
    /// <summary>Reads <paramref name="map"/> into its members in wire order, each value still encoded.</summary>
    /// <exception cref="TruffleSerializationException">Not a map with string keys and one value per key.</exception>
    public static List<KeyValuePair<string, byte[]>> Read(ReadOnlyMemory<byte> map)
    {
        var reader = new MessagePackReader(map);
        try
        {
            int count = reader.ReadMapHeader();
            var members = new List<KeyValuePair<string, byte[]>>(Math.Min(count, 256));
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString() ?? throw new InvalidDataException("A member name is nil.");
                members.Add(new(name, reader.ReadRaw().ToArray()));
            }

            if (!reader.End)
            {
                throw new InvalidDataException("Trailing bytes after the map.");
            }

            return members;
        }
        catch (Exception e) when (MalformedInput.Is(e))
        {
            throw new TruffleSerializationException($"Not a slice (a MessagePack map of members): {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="members"/> as one map.</summary>
    public static byte[] Write(List<KeyValuePair<string, byte[]>> members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(members.Count);
        foreach ((string name, byte[] value) in members)
        {
            writer.Write(name);
            writer.WriteRaw(value);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Replaces in <paramref name="members"/> every member <paramref name="delta"/> carries (appending new ones),
    /// and returns the names it carried.
    /// </summary>
    /// <exception cref="TruffleSerializationException">The delta is not a map of members.</exception>
    public static List<string> Apply(List<KeyValuePair<string, byte[]>> members, ReadOnlyMemory<byte> delta)
    {
        var carried = new List<string>();
        foreach (KeyValuePair<string, byte[]> change in Read(delta))
        {
            int at = members.FindIndex(m => m.Key == change.Key);
            if (at < 0)
            {
                members.Add(change);
            }
            else
            {
                members[at] = change;
            }

            carried.Add(change.Key);
        }

        return carried;
    }

    /// <summary>The names whose encoded values differ between two slices, including members only one of them has.</summary>
    public static List<string> Diff(List<KeyValuePair<string, byte[]>> previous, List<KeyValuePair<string, byte[]>> current)
    {
        var changed = new List<string>();
        foreach ((string name, byte[] value) in current)
        {
            int at = previous.FindIndex(m => m.Key == name);
            if (at < 0 || !previous[at].Value.AsSpan().SequenceEqual(value))
            {
                changed.Add(name);
            }
        }

        changed.AddRange(previous.Where(p => !current.Exists(c => c.Key == p.Key)).Select(p => p.Key));
        return changed;
    }
}
