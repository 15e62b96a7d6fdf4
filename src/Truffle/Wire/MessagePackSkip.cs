using MessagePack;

namespace Truffle.Wire;

/// <summary>Skips one MessagePack value from untrusted input without letting its nesting exhaust the stack.</summary>
internal static class MessagePackSkip
{
    /// <summary>
    /// The deepest nesting skipped. Truffle's own structures nest at most two levels; the rest is headroom for fields
    /// a newer version may add, far below what would threaten the stack.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>Advances past the next value, however it is nested up to <see cref="MaxDepth"/>.</summary>
    /// <exception cref="MessagePackSerializationException">The value nests deeper, or is not well-formed.</exception>
    /// <exception cref="EndOfStreamException">The input ends inside the value.</exception>
    public static void Value(ref MessagePackReader reader) => Value(ref reader, MaxDepth);

    private static void Value(ref MessagePackReader reader, int depthLeft)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Array:
                {
                    // ReadArrayHeader refuses a count larger than the bytes left, so the loop is bounded by the input.
                    int count = reader.ReadArrayHeader();
                    EnterContainer(depthLeft);
                    for (int i = 0; i < count; i++)
                    {
                        Value(ref reader, depthLeft - 1);
                    }

                    break;
                }

            case MessagePackType.Map:
                {
                    int count = reader.ReadMapHeader();
                    EnterContainer(depthLeft);
                    for (int i = 0; i < count; i++)
                    {
                        Value(ref reader, depthLeft - 1);
                        Value(ref reader, depthLeft - 1);
                    }

                    break;
                }

            default:
                // Scalars, strings, bin and ext: no recursion inside.
                reader.Skip();
                break;
        }
    }

    private static void EnterContainer(int depthLeft)
    {
        if (depthLeft <= 0)
        {
            throw new MessagePackSerializationException($"Nested deeper than {MaxDepth} levels.");
        }
    }
}
