using Microsoft.Extensions.Logging;

namespace Truffle.Mesh;

internal static partial class MeshLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Mesh node {DeviceId} ({Hostname}, incarnation {Incarnation}) started; peers expected: {PeersExpected}")]
    public static partial void Started(ILogger logger, string deviceId, string hostname, ulong incarnation, bool peersExpected);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Debug, Message = "Dialling {Hostname}")]
    public static partial void Dialing(ILogger logger, string hostname);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "The network node restarted; connections are being re-established")]
    public static partial void NetworkRestarted(ILogger logger);


    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "An outgoing connector failed to stop")]
    public static partial void ConnectorFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Connected to {DeviceId} ({DeviceName}); outgoing: {Outgoing}, incarnation {Incarnation}")]
    public static partial void Connected(ILogger logger, string deviceId, string deviceName, bool outgoing, ulong incarnation);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Information, Message = "Disconnected from {DeviceId} (close code {CloseCode}: {Reason})")]
    public static partial void Disconnected(ILogger logger, string deviceId, int closeCode, string reason);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Warning, Message = "Envelope from connection {Peer} claiming sender {From} ({Kind}, term {Term}) rejected")]
    public static partial void EnvelopeRejected(ILogger logger, string peer, string from, string kind, ulong term);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "{DeviceId} said goodbye")]
    public static partial void Goodbye(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "Unknown control message {Type} from {DeviceId} dropped")]
    public static partial void UnknownControl(ILogger logger, string deviceId, string type);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Warning, Message = "A mesh event handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6013, Level = LogLevel.Error, Message = "The receiver of {Namespace}/{Type} from {From} threw")]
    public static partial void ReceiverFailed(ILogger logger, string @namespace, string type, string from, Exception exception);

    [LoggerMessage(EventId = 6014, Level = LogLevel.Information, Message = "Role {Role}, primary {PrimaryId}, term {Term}")]
    public static partial void RoleChanged(ILogger logger, MeshRole role, string primaryId, ulong term);

    [LoggerMessage(EventId = 6015, Level = LogLevel.Warning, Message = "Listing the peers again after the network node restarted failed")]
    public static partial void RelistFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6016, Level = LogLevel.Debug, Message = "The network no longer lists {DeviceId}, but its connection is up: it leaves when the connection closes")]
    public static partial void GoneButConnected(ILogger logger, string deviceId);
}
