namespace Truffle;

/// <summary>The base of every exception Truffle throws on purpose; catch it to handle any Truffle failure.</summary>
public class TruffleException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public TruffleException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public TruffleException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
