using System.ComponentModel;

namespace Truffle;

/// <summary>
/// Implemented by the source generator on every <see cref="TruffleMessageAttribute"/> type; do not implement it
/// by hand. It lets generic code reach a message's wire names and formatter without reflection.
/// </summary>
/// <typeparam name="TSelf">The message type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ITruffleMessage<TSelf> : ITruffleSerializable<TSelf>
    where TSelf : ITruffleMessage<TSelf>
{
    /// <summary>The namespace on the wire.</summary>
    static abstract string WireNamespace { get; }

    /// <summary>The message type on the wire.</summary>
    static abstract string WireType { get; }
}
