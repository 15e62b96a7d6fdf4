using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>
/// The mesh as the layers above use it: the message bus and the store sync adapter send through it and receive from
/// it, and learn who comes and goes. <see cref="MeshNode"/> is the networked endpoint; <see cref="InProcessNetwork"/>
/// gives each device of a process-local mesh one, so both run the same bus and sync code.
/// </summary>
internal interface IMeshEndpoint
{
    /// <summary>This device's id: the <c>from</c> of everything it sends.</summary>
    string DeviceId { get; }

    /// <summary>The longest payload one envelope may carry.</summary>
    int MaxPayloadBytes { get; }

    /// <summary>A device connected (first contact, reconnect or restart), with its incarnation.</summary>
    event EventHandler<TruffleDevice>? DeviceConnected;

    /// <summary>A device's connection closed, or it said goodbye.</summary>
    event EventHandler<TruffleDevice>? DeviceOffline;

    /// <summary>A device is gone for good, not merely disconnected. May be raised more than once for one departure.</summary>
    event EventHandler<string>? DeviceLeft;

    /// <summary>
    /// Sends one envelope to device <paramref name="to"/>, waiting while the way there is over its queue bound.
    /// Completes once the envelope is queued, not once it arrives.
    /// </summary>
    /// <exception cref="DeviceUnreachableException">No way to the device now; nothing was sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    ValueTask SendAsync(
        string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, Correlation correlation,
        CancellationToken cancellationToken);

    /// <summary>Sends one envelope to every other device; it is not delivered back to this one.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>
    /// Queues one envelope for one device (or every other device when <paramref name="to"/> is empty) without ever
    /// waiting: for a layer whose own protocol repairs loss (sync). False when there is no way to send it.
    /// </summary>
    bool Post(string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload);

    /// <summary>
    /// Receives the envelopes of <paramref name="messageNamespace"/> (a reserved one, such as <c>sync</c>), or of every
    /// namespace without a receiver of its own when it is null.
    /// </summary>
    void SetReceiver(string? messageNamespace, IMeshReceiver receiver);
}
