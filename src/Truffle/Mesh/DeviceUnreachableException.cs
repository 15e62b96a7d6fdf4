namespace Truffle;

/// <summary>A message or request was addressed to a device that is not reachable now. Nothing was sent.</summary>
public sealed class DeviceUnreachableException : TruffleException
{
    /// <summary>Creates the exception for <paramref name="deviceId"/>.</summary>
    public DeviceUnreachableException(string deviceId)
        : base($"Device '{deviceId}' is not reachable.") => DeviceId = deviceId;

    /// <summary>Creates the exception for <paramref name="deviceId"/> with the failure that made it unreachable.</summary>
    public DeviceUnreachableException(string deviceId, Exception? innerException)
        : base($"Device '{deviceId}' is not reachable.", innerException) => DeviceId = deviceId;

    /// <summary>The device that could not be reached.</summary>
    public string DeviceId { get; }
}
