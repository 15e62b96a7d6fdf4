using System.Globalization;
using System.Runtime.CompilerServices;
using Truffle.Wire;

namespace Truffle.Messaging;

/// <summary>The rule every bus applies to payloads: what does not fit in one envelope is refused before anything is sent.</summary>
internal static class MessagePayloads
{
    /// <summary>The longest payload with the default limits (SPEC §4): 1 MiB.</summary>
    public static int DefaultMaxBytes => EnvelopeLimits.Default.MaxPayloadBytes;

    /// <exception cref="ArgumentException">The payload is longer than <paramref name="maxBytes"/>.</exception>
    public static void Validate(ReadOnlyMemory<byte> payload, int maxBytes, [CallerArgumentExpression(nameof(payload))] string? paramName = null)
    {
        if (payload.Length > maxBytes)
        {
            throw new ArgumentException(TooLarge("The payload", payload.Length, maxBytes), paramName);
        }
    }

    /// <summary>The message for a payload (or reply) of <paramref name="length"/> bytes over the limit.</summary>
    public static string TooLarge(string what, int length, int maxBytes) => string.Create(
        CultureInfo.InvariantCulture, $"{what} is {length:N0} bytes; a message carries at most {maxBytes:N0}.");
}
