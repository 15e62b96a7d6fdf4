namespace Truffle.Sync;

/// <summary>
/// Where a <see cref="SyncEngine"/> sends its messages: implemented by the mesh glue (and by the tests' simulated
/// network). Each message is one opaque payload that names its store inside.
/// </summary>
/// <remarks>
/// The engine calls these while it holds its lock, so that messages leave in the order their versions were made;
/// an implementation must not block and must not call back into the engine on the same thread.
/// </remarks>
internal interface ISyncOutput
{
    /// <summary>Sends <paramref name="message"/> to every other device; the bytes are copied during the call.</summary>
    void Broadcast(ReadOnlyMemory<byte> message);

    /// <summary>
    /// Sends <paramref name="message"/> to one device; the bytes are copied during the call. Drops it silently when
    /// the device is unreachable: the digest repairs anything lost.
    /// </summary>
    void Send(string deviceId, ReadOnlyMemory<byte> message);
}
