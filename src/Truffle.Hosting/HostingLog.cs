using Microsoft.Extensions.Logging;

namespace Truffle.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Truffle node {DeviceId} ({Hostname}) started on the {Network} network with {Handlers} handler(s)")]
    public static partial void Started(ILogger logger, string deviceId, string hostname, TruffleNetwork network, int handlers);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Error, Message = "The Truffle node did not start; the host cannot start either")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Stopping Truffle node {DeviceId}: detaching handlers, then saying goodbye")]
    public static partial void Stopping(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "{Running} Truffle handler call(s) still running when the host's shutdown time ran out; stopping the node anyway")]
    public static partial void HandlersStillRunning(ILogger logger, int running);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Information, Message = "Truffle node {DeviceId} stopped")]
    public static partial void Stopped(ILogger logger, string deviceId);
}
