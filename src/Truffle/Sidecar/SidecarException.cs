namespace Truffle;

/// <summary>
/// The sidecar could not be found, started or driven, or it answered a command with an error. <see cref="Code"/> is
/// the sidecar's error code (<c>START_ERROR</c>, <c>DIAL_ERROR</c>, ...) or one of the host-side codes listed here.
/// </summary>
public sealed class SidecarException : TruffleException
{
    /// <summary>No sidecar binary was found at any searched path.</summary>
    public const string NotFoundCode = "SIDECAR_NOT_FOUND";

    /// <summary>The sidecar process exited or could not be started.</summary>
    public const string ProcessExitedCode = "SIDECAR_EXITED";

    /// <summary>The sidecar did not answer within the allowed time.</summary>
    public const string TimeoutCode = "TIMEOUT";

    /// <summary>The sidecar wrote something that breaks the control or bridge protocol.</summary>
    public const string ProtocolErrorCode = "PROTOCOL_ERROR";

    /// <summary>Creates an exception with an error code and a message.</summary>
    public SidecarException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates an exception with an error code, a message and its cause.</summary>
    public SidecarException(string code, string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The error code: the sidecar's own (<c>START_ERROR</c>, <c>NOT_RUNNING</c>, ...) or a host-side one.</summary>
    public string Code { get; }
}
