namespace Truffle;

/// <summary>The remote request handler threw. The remote exception's type name and message travel back.</summary>
public sealed class RemoteHandlerException : TruffleException
{
    /// <summary>Creates the exception.</summary>
    public RemoteHandlerException(string deviceId, string remoteExceptionType, string remoteMessage)
        : base($"The handler on device '{deviceId}' threw {remoteExceptionType}: {remoteMessage}")
    {
        DeviceId = deviceId;
        RemoteExceptionType = remoteExceptionType;
        RemoteMessage = remoteMessage;
    }

    /// <summary>The device whose handler threw.</summary>
    public string DeviceId { get; }

    /// <summary>The full name of the exception type thrown remotely.</summary>
    public string RemoteExceptionType { get; }

    /// <summary>The remote exception's message.</summary>
    public string RemoteMessage { get; }
}
