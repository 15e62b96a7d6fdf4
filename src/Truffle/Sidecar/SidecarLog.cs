using Microsoft.Extensions.Logging;

namespace Truffle.Sidecar;

/// <summary>The sidecar layer's log messages (source-generated).</summary>
internal static partial class SidecarLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Bridge connection from {Remote} dropped: {Reason}")]
    public static partial void BridgeRejected(ILogger logger, string? remote, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Bridge accept loop failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "sidecar: {Line}")]
    public static partial void SidecarOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Sidecar protocol error: {Problem}")]
    public static partial void ProtocolError(ILogger logger, string problem);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Sidecar started (pid {ProcessId}) from {Path}")]
    public static partial void ProcessStarted(ILogger logger, int processId, string path);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Sidecar exited with code {ExitCode}")]
    public static partial void ProcessExited(ILogger logger, int exitCode);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Sidecar did not exit in time; killing it")]
    public static partial void ProcessKilled(ILogger logger);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "A sidecar event handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Sidecar error {Code}: {Message}")]
    public static partial void UncorrelatedError(ILogger logger, string code, string message);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Sidecar process failed")]
    public static partial void ProcessFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Sidecar (pid {ProcessId}) exited unexpectedly with code {ExitCode}; restarting: {WillRestart}")]
    public static partial void ProcessExitedUnexpectedly(ILogger logger, int processId, int exitCode, bool willRestart);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Sidecar restarted (attempt {Attempt}); the node is {State}")]
    public static partial void Restarted(ILogger logger, int attempt, string state);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Sidecar restart attempt {Attempt} failed: {Reason}")]
    public static partial void RestartFailed(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning, Message = "Could not listen on port {Port} again after a sidecar restart: {Reason}")]
    public static partial void RelistenFailed(ILogger logger, int port, string reason);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Error, Message = "Sidecar supervision failed; the sidecar will not be restarted")]
    public static partial void SupervisionFailed(ILogger logger, Exception exception);
}
