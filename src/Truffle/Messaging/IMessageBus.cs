namespace Truffle;

/// <summary>
/// The untyped message bus: namespaced pub/sub and request/reply with payloads as MessagePack bytes. The typed API
/// the generator writes for each namespace (<c>bus.Chat.Send(...)</c>) sits on top of it; tools and bridges use it
/// directly. Delivery is at-most-once and in order per sender.
/// </summary>
/// <remarks>
/// Payloads passed in are copied before the returned task completes, so callers may reuse their buffers. Payloads
/// handed to handlers are valid until the handler's task completes; copy them to keep them longer.
/// </remarks>
public interface IMessageBus
{
    /// <summary>The id of the device this bus belongs to.</summary>
    string LocalDeviceId { get; }

    /// <summary>Sends a message to one device. Sending to <see cref="LocalDeviceId"/> delivers locally.</summary>
    /// <exception cref="DeviceUnreachableException">No device with that id is reachable now.</exception>
    /// <exception cref="ArgumentException">
    /// A namespace or type is empty or longer than 128 bytes, or the payload is longer than one message carries
    /// (1 MiB by default); nothing was sent.
    /// </exception>
    ValueTask SendAsync(string deviceId, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>Sends a message to every other device; it is not delivered back to the sender.</summary>
    /// <exception cref="ArgumentException">
    /// A namespace or type is empty or longer than 128 bytes, or the payload is longer than one message carries
    /// (1 MiB by default); nothing was sent.
    /// </exception>
    ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to a namespace, or to one type in it. Each subscription has its own bounded queue, so a slow handler
    /// never blocks other subscriptions or the network; when the queue is full the oldest message is dropped and
    /// counted (see <see cref="SubscriptionOptions"/>). A handler that throws is logged and counted, and the
    /// subscription goes on.
    /// </summary>
    /// <param name="messageNamespace">The namespace to receive.</param>
    /// <param name="messageType">The type to receive, or null for every type in the namespace.</param>
    /// <param name="handler">Called once per message, never concurrently for one subscription.</param>
    /// <param name="options">Queue capacity and overflow policy; null for the defaults.</param>
    /// <returns>Dispose it to unsubscribe; queued messages not yet handled are discarded.</returns>
    IDisposable Subscribe(string messageNamespace, string? messageType, Func<InboundMessage, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null);

    /// <summary>Sends a request to one device and waits for its reply.</summary>
    /// <returns>The reply payload.</returns>
    /// <exception cref="TimeoutException">No reply arrived within <paramref name="timeout"/>.</exception>
    /// <exception cref="NoResponderException">The device has no handler for this request type.</exception>
    /// <exception cref="RemoteHandlerException">
    /// The device's handler threw, or returned a reply longer than one message carries; the message says what.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// A namespace or type is empty or longer than 128 bytes, or the payload is longer than one message carries.
    /// </exception>
    /// <exception cref="DeviceUnreachableException">No device with that id is reachable now.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<ReadOnlyMemory<byte>> RequestAsync(string deviceId, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers requests of one type. Only one handler per (namespace, type) may be registered on a bus; its
    /// exceptions are returned to the caller as a <see cref="RemoteHandlerException"/>.
    /// </summary>
    /// <returns>Dispose it to stop answering; later requests get a <see cref="NoResponderException"/>.</returns>
    /// <exception cref="InvalidOperationException">A handler for this (namespace, type) is already registered.</exception>
    IDisposable Handle(string messageNamespace, string messageType, Func<InboundMessage, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler);
}
