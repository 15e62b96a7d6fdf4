using System.Threading.Channels;

namespace Truffle.Tests.Support;

/// <summary>Collects what a subscription handler receives, so a test can await the next message.</summary>
internal sealed class Inbox
{
    private readonly Channel<InboundMessage> _messages = Channel.CreateUnbounded<InboundMessage>();

    /// <summary>A handler that keeps a copy of every message (payloads are only valid during the handler).</summary>
    public Func<InboundMessage, CancellationToken, ValueTask> Handler => (message, _) =>
    {
        _messages.Writer.TryWrite(message with { Payload = message.Payload.ToArray() });
        return ValueTask.CompletedTask;
    };

    public async Task<InboundMessage> NextAsync() =>
        await _messages.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);

    /// <summary>Takes a message that has already arrived, if any.</summary>
    public bool TryTake(out InboundMessage message) => _messages.Reader.TryRead(out message);
}
