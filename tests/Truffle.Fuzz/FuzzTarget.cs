namespace Truffle.Fuzz;

/// <summary>
/// One decoder under fuzz: bytes in, decoded or refused. A decoder may throw only the exception it documents for
/// malformed input; anything else escapes <see cref="Run"/> and is a crash (afl-fuzz records the input).
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The target's name on the command line and its corpus folder (corpus/&lt;name&gt;/).</summary>
    public abstract string Name { get; }

    /// <summary>Decodes <paramref name="input"/>; throws only what is a crash.</summary>
    public void Run(ReadOnlyMemory<byte> input)
    {
        try
        {
            Decode(input);
        }
        catch (Exception e) when (IsDocumented(e))
        {
            // The decoder refused the input the way it promises to.
        }
    }

    /// <summary>Real encodings to start from, each with a file name.</summary>
    public abstract IEnumerable<(string Name, byte[] Bytes)> Seeds();

    /// <summary>Calls the decoder the way its production caller does.</summary>
    protected abstract void Decode(ReadOnlyMemory<byte> input);

    /// <summary>Whether <paramref name="exception"/> is the decoder's documented refusal (none by default: it never throws).</summary>
    protected virtual bool IsDocumented(Exception exception) => false;
}
