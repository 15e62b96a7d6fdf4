using System.Runtime.CompilerServices;
using System.Text;

namespace Truffle.Messaging;

/// <summary>The rules every bus applies to namespaces and types.</summary>
internal static class MessageNames
{
    /// <summary>The longest namespace or type, in UTF-8 bytes (SPEC §4).</summary>
    public const int MaxBytes = 128;

    /// <summary>Namespaces the runtime uses itself; applications may not send or subscribe in them.</summary>
    public static bool IsReserved(string messageNamespace) => messageNamespace is "truffle" or "mesh" or "sync";

    /// <exception cref="ArgumentException">Empty, or longer than <see cref="MaxBytes"/> UTF-8 bytes.</exception>
    public static void Validate(string value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (Encoding.UTF8.GetByteCount(value) > MaxBytes)
        {
            throw new ArgumentException($"'{value}' is longer than {MaxBytes} UTF-8 bytes.", paramName);
        }
    }

    /// <exception cref="ArgumentException">Invalid, or reserved for the runtime.</exception>
    public static void ValidateApplicationNamespace(string value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        Validate(value, paramName);
        if (IsReserved(value))
        {
            throw new ArgumentException($"The namespace '{value}' is reserved for the runtime.", paramName);
        }
    }
}
