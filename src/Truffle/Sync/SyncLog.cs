using Microsoft.Extensions.Logging;

namespace Truffle.Sync;

/// <summary>State sync's log messages (event ids 8001–8099).</summary>
internal static partial class SyncLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Sync engine {DeviceId} started, incarnation {Incarnation}")]
    public static partial void Started(ILogger logger, string deviceId, ulong incarnation);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Debug, Message = "Dropped a sync message from {From} that could not be read ({Length} bytes)")]
    public static partial void Malformed(ILogger logger, string from, int length);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Rejected a {Kind} for the slice of {Owner} in {Store} sent by {From}: only the owner may write it")]
    public static partial void Spoofed(ILogger logger, string kind, string store, string owner, string from);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Debug, Message = "Gap in {Store} from {Owner}: held {HeldIncarnation}/{HeldSeq}, got {Incarnation}/{BaseSeq}->{Seq}; requesting a snapshot")]
    public static partial void Gap(ILogger logger, string store, string owner, ulong heldIncarnation, ulong heldSeq, ulong incarnation, ulong baseSeq, ulong seq);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Debug, Message = "Dropped a message of {Store} from {Owner}: incarnation {Incarnation} is tombstoned")]
    public static partial void Tombstoned(ILogger logger, string store, string owner, ulong incarnation);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Information, Message = "Device {DeviceId} left (incarnation {Incarnation}); its slices are hidden and tombstoned")]
    public static partial void DeviceLeft(ILogger logger, string deviceId, ulong incarnation);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Debug, Message = "Device {DeviceId} joined (incarnation {Incarnation})")]
    public static partial void DeviceJoined(ILogger logger, string deviceId, ulong incarnation);

    [LoggerMessage(EventId = 8008, Level = LogLevel.Warning, Message = "A slice of {Store} from {Owner} could not be applied; requesting a snapshot")]
    public static partial void ApplyFailed(ILogger logger, string store, string owner, Exception exception);

    [LoggerMessage(EventId = 8009, Level = LogLevel.Error, Message = "A handler of changes to {Store} threw; the change is applied and sync goes on")]
    public static partial void HandlerFailed(ILogger logger, string store, Exception exception);

    [LoggerMessage(EventId = 8010, Level = LogLevel.Warning, Message = "Could not save the local slice of {Store} to {Path}; it will not survive a restart")]
    public static partial void SaveFailed(ILogger logger, string store, string path, Exception exception);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Warning, Message = "Could not load the saved slice of {Store} from {Path}; starting empty")]
    public static partial void LoadFailed(ILogger logger, string store, string path, Exception exception);

    [LoggerMessage(EventId = 8012, Level = LogLevel.Information, Message = "Loaded the saved slice of {Store} (seq {Seq} of a previous incarnation)")]
    public static partial void Loaded(ILogger logger, string store, ulong seq);

    [LoggerMessage(EventId = 8013, Level = LogLevel.Debug, Message = "Ignored a sync message for store {Store}, which this device has not opened")]
    public static partial void UnknownStore(ILogger logger, string store);

    [LoggerMessage(EventId = 8014, Level = LogLevel.Error, Message = "A sync timer failed")]
    public static partial void TimerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8015, Level = LogLevel.Warning, Message = "The local slice of {Store} encodes to {Bytes} bytes, over the limit of {Limit}; it is kept locally but not sent")]
    public static partial void TooLarge(ILogger logger, string store, int bytes, int limit);

    [LoggerMessage(EventId = 8016, Level = LogLevel.Information, Message = "Device {DeviceId} said goodbye (incarnation {Incarnation})")]
    public static partial void Goodbye(ILogger logger, string deviceId, ulong incarnation);

    [LoggerMessage(EventId = 8017, Level = LogLevel.Error, Message = "Handling a sync message from {From} failed; it was dropped")]
    public static partial void ReceiveFailed(ILogger logger, string from, Exception exception);
}
