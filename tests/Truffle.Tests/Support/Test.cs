namespace Truffle.Tests.Support;

/// <summary>Shared test constants and helpers.</summary>
internal static class Test
{
    /// <summary>How long a test waits for something that should happen; only a failing test waits this long.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A namespace no other test uses, so process-wide metrics can be attributed to one test.</summary>
    public static string UniqueNamespace() => "t" + Guid.NewGuid().ToString("N");

    public static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TaskCompletionSource<T> NewSignal<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static InboundMessage Message(string messageNamespace, int sequence, string from = "sender") =>
        new(from, messageNamespace, "item", BitConverter.GetBytes(sequence), IsBroadcast: false);

    public static int Sequence(InboundMessage message) => BitConverter.ToInt32(message.Payload.Span);
}
