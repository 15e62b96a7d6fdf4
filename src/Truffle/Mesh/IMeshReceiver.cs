using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>A layer above the mesh that receives application envelopes of its namespaces.</summary>
internal interface IMeshReceiver
{
    /// <summary>
    /// An envelope for this device arrived (its sender already checked). Called on a connection's read loop: must
    /// not block; the payload is valid only during the call.
    /// </summary>
    /// <returns>
    /// Null, or a task until which the connection that delivered the envelope should read nothing more: backpressure
    /// from a receiver that queued it over its bound (a subscription with <see cref="OverflowPolicy.Wait"/>).
    /// </returns>
    Task? OnEnvelope(in Envelope envelope);
}
