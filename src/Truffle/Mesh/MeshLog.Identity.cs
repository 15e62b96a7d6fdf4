using Microsoft.Extensions.Logging;

namespace Truffle.Mesh;

/// <content>The device bindings' decisions (SPEC §5a): refused claims and replaced devices.</content>
internal static partial class MeshLog
{
    [LoggerMessage(EventId = 6040, Level = LogLevel.Warning, Message = "Hello from node {NodeId} as device {DeviceId} refused (4003): {Reason}")]
    public static partial void IdentityRefused(ILogger logger, string nodeId, string deviceId, string reason);

    [LoggerMessage(EventId = 6041, Level = LogLevel.Information, Message = "Node {NodeId} now says hello as {DeviceId}: its earlier device {Replaced} is gone, as after a reinstall")]
    public static partial void DeviceReplaced(ILogger logger, string nodeId, string deviceId, string replaced);
}
