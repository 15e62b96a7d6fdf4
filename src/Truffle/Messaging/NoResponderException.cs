namespace Truffle;

/// <summary>The target device is reachable but has no handler registered for the request's type.</summary>
public sealed class NoResponderException : TruffleException
{
    /// <summary>Creates the exception.</summary>
    public NoResponderException(string deviceId, string @namespace, string type)
        : base($"Device '{deviceId}' has no handler for {@namespace}/{type}.")
    {
        DeviceId = deviceId;
        Namespace = @namespace;
        Type = type;
    }

    /// <summary>The device that was asked.</summary>
    public string DeviceId { get; }

    /// <summary>The request's namespace.</summary>
    public string Namespace { get; }

    /// <summary>The request's type.</summary>
    public string Type { get; }
}
