using System.Threading.Channels;
using Truffle.Tests.Support;
using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Tests.Transport;

/// <summary>Keeps what a connection reports: envelopes (payload copied), and how often and how it closed.</summary>
internal sealed class RecordingHandler : IConnectionHandler
{
    private readonly Channel<Envelope> _envelopes = Channel.CreateUnbounded<Envelope>();
    private readonly TaskCompletionSource<ConnectionClosed> _closed = Test.NewSignal<ConnectionClosed>();
    private int _closedCount;
    private int _envelopesAfterClose;

    /// <summary>Runs on the read loop before the envelope is recorded (to block it, or throw).</summary>
    public Action<Envelope>? OnEach { get; init; }

    public int ClosedCount => Volatile.Read(ref _closedCount);

    public int EnvelopesAfterClose => Volatile.Read(ref _envelopesAfterClose);

    public Task<ConnectionClosed> Closed => _closed.Task;

    public void OnEnvelope(IPeerConnection connection, in Envelope envelope)
    {
        if (ClosedCount > 0)
        {
            Interlocked.Increment(ref _envelopesAfterClose);
        }

        OnEach?.Invoke(envelope);
        _envelopes.Writer.TryWrite(envelope with { Payload = envelope.Payload.ToArray() });
    }

    public void OnClosed(IPeerConnection connection, ConnectionClosed closed)
    {
        Interlocked.Increment(ref _closedCount);
        _closed.TrySetResult(closed);
    }

    public async Task<Envelope> NextAsync() => await _envelopes.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);

    public async Task<ConnectionClosed> ClosedAsync() => await Closed.WaitAsync(Test.Timeout);

    public bool TryTake(out Envelope envelope) => _envelopes.Reader.TryRead(out envelope);

    public static Envelope Envelope(ulong sequence, string ns = "app", int payloadBytes = 8, string to = "") =>
        new(EnvelopeKind.App, ns, "item", "sender", to, sequence, 1, 0, EnvelopeFlags.None, Payload(sequence, payloadBytes));

    public static byte[] Payload(ulong sequence, int bytes)
    {
        byte[] payload = new byte[bytes];
        BitConverter.TryWriteBytes(payload, sequence);
        return payload;
    }
}
