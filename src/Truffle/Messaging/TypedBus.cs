using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MessagePack.Formatters;
using Truffle.Wire;

namespace Truffle.Messaging;

/// <summary>
/// What the generated typed API calls: it turns typed messages into payloads for <see cref="IMessageBus"/> and back.
/// Each generated method passes the wire names and the formatter as constants, so nothing is looked up per call.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TypedBus
{
    /// <summary>Serializes and sends to one device.</summary>
    public static async ValueTask SendAsync<T>(IMessageBus bus, string deviceId, string ns, string type, T message, IMessagePackFormatter<T> formatter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);
        using PooledBuffer.Lease lease = PooledBuffer.Rent();
        TruffleSerializer.Serialize(lease.Buffer, message, formatter);
        await bus.SendAsync(deviceId, ns, type, lease.Buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serializes and broadcasts.</summary>
    public static async ValueTask BroadcastAsync<T>(IMessageBus bus, string ns, string type, T message, IMessagePackFormatter<T> formatter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);
        using PooledBuffer.Lease lease = PooledBuffer.Rent();
        TruffleSerializer.Serialize(lease.Buffer, message, formatter);
        await bus.BroadcastAsync(ns, type, lease.Buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Subscribes a synchronous typed handler.</summary>
    public static IDisposable On<T>(IMessageBus bus, string ns, string type, IMessagePackFormatter<T> formatter, Action<T, MessageContext> handler, SubscriptionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(handler);
        return bus.Subscribe(ns, type, (message, _) =>
        {
            handler(Decode(message, formatter), message.Context);
            return ValueTask.CompletedTask;
        }, options);
    }

    /// <summary>Subscribes an asynchronous typed handler.</summary>
    public static IDisposable On<T>(IMessageBus bus, string ns, string type, IMessagePackFormatter<T> formatter, Func<T, MessageContext, CancellationToken, ValueTask> handler, SubscriptionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(handler);
        return bus.Subscribe(ns, type, (message, ct) => handler(Decode(message, formatter), message.Context, ct), options);
    }

    /// <summary>Reads messages of one type as they arrive, until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async IAsyncEnumerable<Received<T>> ReadAllAsync<T>(IMessageBus bus, string ns, string type, IMessagePackFormatter<T> formatter, SubscriptionOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);

        // Capacity 1: the subscription's own queue does the buffering and applies its overflow policy.
        var channel = Channel.CreateBounded<Received<T>>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using IDisposable subscription = bus.Subscribe(
            ns,
            type,
            (message, ct) => channel.Writer.WriteAsync(new Received<T>(Decode(message, formatter), message.Context), ct),
            options);

        while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (channel.Reader.TryRead(out Received<T> received))
            {
                yield return received;
            }
        }
    }

    /// <summary>Sends a typed request and reads the typed reply.</summary>
    public static async ValueTask<TReply> RequestAsync<TRequest, TReply>(IMessageBus bus, string deviceId, string ns, string type, TRequest request, IMessagePackFormatter<TRequest> requestFormatter, IMessagePackFormatter<TReply> replyFormatter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ReadOnlyMemory<byte> reply;
        using (PooledBuffer.Lease lease = PooledBuffer.Rent())
        {
            TruffleSerializer.Serialize(lease.Buffer, request, requestFormatter);
            reply = await bus.RequestAsync(deviceId, ns, type, lease.Buffer.WrittenMemory, timeout, cancellationToken).ConfigureAwait(false);
        }

        return TruffleSerializer.Deserialize(new System.Buffers.ReadOnlySequence<byte>(reply), replyFormatter);
    }

    /// <summary>Registers a typed request handler.</summary>
    public static IDisposable Handle<TRequest, TReply>(IMessageBus bus, string ns, string type, IMessagePackFormatter<TRequest> requestFormatter, IMessagePackFormatter<TReply> replyFormatter, Func<TRequest, MessageContext, CancellationToken, ValueTask<TReply>> handler)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(handler);
        return bus.Handle(ns, type, async (message, ct) =>
        {
            TReply reply = await handler(Decode(message, requestFormatter), message.Context, ct).ConfigureAwait(false);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
            TruffleSerializer.Serialize(buffer, reply, replyFormatter);
            return buffer.WrittenMemory;
        });
    }

    /// <summary>Registers a synchronous typed request handler.</summary>
    public static IDisposable Handle<TRequest, TReply>(IMessageBus bus, string ns, string type, IMessagePackFormatter<TRequest> requestFormatter, IMessagePackFormatter<TReply> replyFormatter, Func<TRequest, MessageContext, TReply> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Handle(bus, ns, type, requestFormatter, replyFormatter, (request, context, _) => ValueTask.FromResult(handler(request, context)));
    }

    private static T Decode<T>(InboundMessage message, IMessagePackFormatter<T> formatter) =>
        TruffleSerializer.Deserialize(new System.Buffers.ReadOnlySequence<byte>(message.Payload), formatter);
}
