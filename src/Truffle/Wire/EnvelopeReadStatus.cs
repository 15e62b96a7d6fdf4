namespace Truffle.Wire;

/// <summary>What <see cref="EnvelopeCodec.TryRead"/> found.</summary>
internal enum EnvelopeReadStatus
{
    /// <summary>A valid envelope was read.</summary>
    Ok,

    /// <summary>
    /// A well-formed MessagePack value that is not a valid envelope; the reader is past it, so the next envelope
    /// can still be read. Drop and count it.
    /// </summary>
    Invalid,

    /// <summary>Not well-formed MessagePack (a framing error): nothing after it can be trusted; close the connection.</summary>
    Malformed,
}
