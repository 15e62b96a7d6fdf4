using System;
using Truffle.Generators.Model;

namespace Truffle.Generators.Schema;

/// <summary>
/// The encoding of a member type as the lock names it: two C# types with the same bytes on the wire (an enum and its
/// underlying integer, <c>byte[]</c> and <c>ReadOnlyMemory&lt;byte&gt;</c>, an array and a list) have the same name,
/// so changing one into the other is not a change at all.
/// </summary>
internal static class WireTypes
{
    public static string Of(TypeShape shape) => shape.Kind switch
    {
        ShapeKind.Boolean => "bool",
        ShapeKind.Byte => "uint8",
        ShapeKind.SByte => "int8",
        ShapeKind.Int16 => "int16",
        ShapeKind.UInt16 => "uint16",
        ShapeKind.Int32 => "int32",
        ShapeKind.UInt32 => "uint32",
        ShapeKind.Int64 => "int64",
        ShapeKind.UInt64 => "uint64",
        ShapeKind.Single => "float32",
        ShapeKind.Double => "float64",
        ShapeKind.Decimal => "decimal",
        ShapeKind.Char => "char",
        ShapeKind.String => "string",
        ShapeKind.DateTime => "timestamp",
        ShapeKind.DateTimeOffset => "timestamp-offset",
        ShapeKind.TimeSpan => "timespan",
        ShapeKind.Guid => "guid",
        ShapeKind.Enum => Of(shape.Element!),
        ShapeKind.ByteArray or ShapeKind.ReadOnlyMemoryOfByte or ShapeKind.MemoryOfByte => "bin",
        ShapeKind.Nullable => Of(shape.Element!),
        ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList or ShapeKind.ImmutableArray => $"array<{Item(shape.Element!)}>",
        ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary => $"map<{Item(shape.Element!)}>",
        _ => "object",
    };

    /// <summary>
    /// True when a reader of <paramref name="newer"/> reads what a writer of <paramref name="older"/> wrote, and the
    /// other way while the values fit: the same encoding, or a widening of an integer or a float.
    /// </summary>
    public static bool AreCompatible(string older, string newer) =>
        string.Equals(older, newer, StringComparison.Ordinal) || Widens(older, newer);

    private static string Item(TypeShape item) => Of(item) + (item.IsNullable ? "?" : string.Empty);

    private static bool Widens(string older, string newer)
    {
        if (older == "float32" && newer == "float64")
        {
            return true;
        }

        return IntegerRank(older) is var (olderSigned, olderBits) && IntegerRank(newer) is var (newerSigned, newerBits)
            && newerBits > olderBits && (newerSigned || !olderSigned);
    }

    private static (bool Signed, int Bits)? IntegerRank(string type) => type switch
    {
        "int8" => (true, 8),
        "int16" => (true, 16),
        "int32" => (true, 32),
        "int64" => (true, 64),
        "uint8" => (false, 8),
        "uint16" => (false, 16),
        "uint32" => (false, 32),
        "uint64" => (false, 64),
        _ => null,
    };
}
