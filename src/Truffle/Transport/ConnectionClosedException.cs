namespace Truffle;

/// <summary>A message could not be queued on a node-to-node connection because the connection is closing or closed.</summary>
public sealed class ConnectionClosedException : TruffleException
{
    /// <summary>Creates an exception with a message.</summary>
    public ConnectionClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public ConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
