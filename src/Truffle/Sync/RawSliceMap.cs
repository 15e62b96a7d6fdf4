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
    /// <summary>
    /// Reads <paramref name="map"/> into its members in wire order, each value still encoded. Values are walked under
    /// the serializer's security (<see cref="TruffleSerializer.Options"/>, untrusted data): a value nested deeper than
    /// its <see cref="MessagePackSecurity.MaximumObjectGraphDepth"/>, counting the slice's map as one level as a
    /// generated formatter does, is refused here rather than kept for a typed reader to refuse later.
    /// </summary>
    /// <exception cref="TruffleSerializationException">Not a map with string keys and one value per key, or nested too deep.</exception>
    public static List<KeyValuePair<string, byte[]>> Read(ReadOnlyMemory<byte> map)
    {
        MessagePackSecurity security = TruffleSerializer.Options.Security;
        var reader = new MessagePackReader(map);
        try
        {
            int count = reader.ReadMapHeader();
            security.DepthStep(ref reader);
            var members = new List<KeyValuePair<string, byte[]>>(Math.Min(count, 256));
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString() ?? throw new InvalidDataException("A member name is nil.");
                SequencePosition start = reader.Position;
                SkipValue(ref reader, security);
                members.Add(new(name, reader.Sequence.Slice(start, reader.Position).ToArray()));
            }

            reader.Depth--;
            if (!reader.End)
            {
                throw new InvalidDataException("Trailing bytes after the map.");
            }

            return members;
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new TruffleSerializationException(
                $"Not a slice Truffle reads: a member value nests deeper than {security.MaximumObjectGraphDepth} levels (the serializer's limit for untrusted data).", e);
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

    // Skips one value, counting each nested array and map against the security's depth limit, as formatters do; the
    // recursion is bounded by that limit, so a hostile value cannot exhaust the stack.
    private static void SkipValue(ref MessagePackReader reader, MessagePackSecurity security)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Array:
            {
                int count = reader.ReadArrayHeader();
                security.DepthStep(ref reader);
                for (int i = 0; i < count; i++)
                {
                    SkipValue(ref reader, security);
                }

                reader.Depth--;
                break;
            }

            case MessagePackType.Map:
            {
                int count = reader.ReadMapHeader();
                security.DepthStep(ref reader);
                for (int i = 0; i < count; i++)
                {
                    SkipValue(ref reader, security);
                    SkipValue(ref reader, security);
                }

                reader.Depth--;
                break;
            }

            default:
                reader.Skip();
                break;
        }
    }
}
