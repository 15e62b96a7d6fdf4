namespace Truffle.Wire;

/// <summary>The sizes an envelope must respect to be sent or accepted (SPEC §4).</summary>
/// <param name="MaxNameBytes">The longest namespace, type, sender or target id, in UTF-8 bytes.</param>
/// <param name="MaxPayloadBytes">The longest payload, in bytes.</param>
internal readonly record struct EnvelopeLimits(int MaxNameBytes, int MaxPayloadBytes)
{
    /// <summary>The spec's defaults: 128-byte names, 1 MiB payloads.</summary>
    public static EnvelopeLimits Default { get; } = new(128, 1 << 20);
}
