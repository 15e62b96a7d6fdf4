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

    /// <summary>
    /// The wire type of <typeparamref name="T"/> as the assembly that declares it compiled it; the generated API of
    /// another assembly reads it here instead of deriving it again.
    /// </summary>
    public static string WireTypeOf<T>()
        where T : ITruffleMessage<T> => T.WireType;

    /// <summary>Subscribes a synchronous handler to <typeparamref name="T"/>, a message of the namespace <paramref name="ns"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> belongs to another namespace.</exception>
    public static IDisposable On<T>(IMessageBus bus, string ns, Action<T, MessageContext> handler, SubscriptionOptions? options)
        where T : ITruffleMessage<T> =>
        On(bus, NamespaceOf<T>(ns), T.WireType, T.Formatter, handler, options);

    /// <summary>Subscribes an asynchronous handler to <typeparamref name="T"/>, a message of the namespace <paramref name="ns"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> belongs to another namespace.</exception>
    public static IDisposable On<T>(IMessageBus bus, string ns, Func<T, MessageContext, CancellationToken, ValueTask> handler, SubscriptionOptions? options)
        where T : ITruffleMessage<T> =>
        On(bus, NamespaceOf<T>(ns), T.WireType, T.Formatter, handler, options);

    /// <summary>Reads the <typeparamref name="T"/> messages of the namespace <paramref name="ns"/> as they arrive.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> belongs to another namespace (thrown at the call).</exception>
    public static IAsyncEnumerable<Received<T>> ReadAllAsync<T>(IMessageBus bus, string ns, SubscriptionOptions? options, CancellationToken cancellationToken)
        where T : ITruffleMessage<T> =>
        ReadAllAsync(bus, NamespaceOf<T>(ns), T.WireType, T.Formatter, options, cancellationToken);

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

    // The namespace API of one assembly reaches messages declared in others, so its generic methods can no longer
    // be constrained to the namespace's own types at compile time: a message of another namespace is refused here.
    private static string NamespaceOf<T>(string ns)
        where T : ITruffleMessage<T> =>
        string.Equals(T.WireNamespace, ns, StringComparison.Ordinal)
            ? ns
            : throw new ArgumentException(
                $"{typeof(T).Name} is a message of the '{T.WireNamespace}' namespace, not of '{ns}': subscribe to it through that namespace's API.",
                nameof(T));

    private static T Decode<T>(InboundMessage message, IMessagePackFormatter<T> formatter) =>
        TruffleSerializer.Deserialize(new System.Buffers.ReadOnlySequence<byte>(message.Payload), formatter);
}
