namespace Truffle;

/// <summary>
/// A node-to-node connection was refused before it carried any message: by this side or by the peer, during the
/// HTTP upgrade or the hello exchange. <see cref="CloseCode"/> says why.
/// </summary>
public sealed class HandshakeException : TruffleException
{
    /// <summary>Creates an exception with the close code sent or received and a message.</summary>
    public HandshakeException(int closeCode, string message)
        : base(message)
    {
        CloseCode = closeCode;
    }

    /// <summary>Creates an exception with the close code, a message and its cause.</summary>
    public HandshakeException(int closeCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        CloseCode = closeCode;
    }

    /// <summary>
    /// The WebSocket close code: 4001 (other app), 4002 (missing, late or bad hello), 4003 (identity mismatch), or
    /// 1002 (protocol error) when the HTTP upgrade itself failed.
    /// </summary>
    public int CloseCode { get; }
}
