using System.ComponentModel;
using MessagePack.Formatters;

namespace Truffle;

/// <summary>
/// Implemented by the source generator on every annotated type; do not implement it by hand. Gives generic code
/// the generated formatter and deep value equality of a type without any lookup or reflection.
/// </summary>
/// <typeparam name="TSelf">The annotated type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ITruffleSerializable<TSelf>
    where TSelf : ITruffleSerializable<TSelf>
{
    /// <summary>The generated formatter: a string-keyed MessagePack map of camelCase member names.</summary>
    static abstract IMessagePackFormatter<TSelf> Formatter { get; }

    /// <summary>
    /// Member-by-member equality, with sequence equality for collections and byte buffers; unlike a record's
    /// <c>Equals</c>, two lists with the same items are equal.
    /// </summary>
    static abstract bool ValueEquals(TSelf? left, TSelf? right);
}
