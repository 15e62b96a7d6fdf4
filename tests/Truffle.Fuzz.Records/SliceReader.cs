using System.Buffers;
using Truffle.Sync;

namespace Truffle.Fuzz.Records;

/// <summary>What a synced store does with a slice's bytes; its members are static on the slice's interface.</summary>
internal static class SliceReader
{
    /// <summary>The store id of <typeparamref name="T"/>.</summary>
    public static string StoreId<T>()
        where T : ISyncedSlice<T> => T.StoreId;

    /// <summary>Reads a whole slice as a received snapshot or a restored file is read.</summary>
    public static T ReadWhole<T>(ReadOnlyMemory<byte> bytes)
        where T : ISyncedSlice<T> => TruffleSerializer.Deserialize(new ReadOnlySequence<byte>(bytes), T.Formatter);
}
