namespace Truffle;

/// <summary>
/// Bytes could not be read as the requested type (malformed, truncated or too deeply nested MessagePack), or a type
/// has no formatter. The input is left untouched; nothing is partially applied.
/// </summary>
public sealed class TruffleSerializationException : TruffleException
{
    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public TruffleSerializationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
