using Microsoft.Extensions.Logging;

namespace Truffle.Transport;

/// <summary>The transport layer's log messages (source-generated).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Upgrade request from {Remote} refused: {Reason}")]
    public static partial void UpgradeRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Handshake with {Remote} refused with {CloseCode}: {Reason}")]
    public static partial void HandshakeRefused(ILogger logger, string remote, int closeCode, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Connected to {DeviceId} ({DeviceName}), outgoing: {Outgoing}")]
    public static partial void Connected(ILogger logger, string deviceId, string deviceName, bool outgoing);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Connection to {DeviceId} closed ({CloseCode}): {Reason}")]
    public static partial void Closed(ILogger logger, string deviceId, int? closeCode, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Connection to {DeviceId} broke the protocol: {Reason}")]
    public static partial void ProtocolError(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "Dropped an invalid envelope from {DeviceId}: {Reason}")]
    public static partial void InvalidEnvelope(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "The connection handler threw on an envelope from {DeviceId} ({Count} so far)")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string deviceId, long count);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Could not connect to {Name}: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Debug, Message = "Could not connect to {Name} (attempt {Attempt}): {Reason}")]
    public static partial void ConnectFailedAgain(ILogger logger, string name, int attempt, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "{Name} belongs to another app; retrying only every {Delay}")]
    public static partial void AppMismatch(ILogger logger, string name, TimeSpan delay);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "The connected callback for {Name} threw; the connection is closed")]
    public static partial void ConnectedCallbackFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Debug, Message = "Connection to {DeviceId} failed while sending")]
    public static partial void SendFailed(ILogger logger, Exception exception, string deviceId);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Error, Message = "Reconnect loop for {Name} failed")]
    public static partial void ConnectorFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "Too many handshakes in progress; connection from {Remote} closed")]
    public static partial void TooManyHandshakes(ILogger logger, string remote);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "Handshake with {Remote} failed")]
    public static partial void HandshakeFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Warning, Message = "Connection to {DeviceId} cut ({CloseCode}): {Reason}; {QueuedBytes} bytes were queued")]
    public static partial void Cut(ILogger logger, string deviceId, int closeCode, string reason, long queuedBytes);
}
