using MessagePack;

namespace Truffle.Wire;

/// <summary>
/// The one rule for "these bytes are not what the format says": the exceptions MessagePack's reader, the generated
/// formatters and Truffle's own readers throw on malformed, truncated, over-deep or hostile input. Every decoder of
/// bytes from another device or from disk catches exactly these and reports its own failure; anything else is a bug
/// and propagates.
/// </summary>
internal static class MalformedInput
{
    /// <summary>True when <paramref name="exception"/> means the input was malformed.</summary>
    public static bool Is(Exception exception) =>
        exception is MessagePackSerializationException
            or EndOfStreamException          // truncated input
            or OverflowException             // a number too large for its target
            or FormatException               // a value of the wrong shape (a bad Guid, DateTime, ...)
            or ArgumentException             // the reader reports a broken length as out of range; bad UTF-8
            or InvalidOperationException     // a nil where a value must be (the reader's nullable results)
            or InsufficientExecutionStackException // nesting deeper than the stack allows
            or InvalidDataException;         // Truffle's own readers: a field with an impossible value
}
