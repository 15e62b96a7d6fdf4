using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>What an <see cref="IPeerConnection"/> reports to the layer above (the mesh), from its read loop.</summary>
internal interface IConnectionHandler
{
    /// <summary>
    /// A valid envelope arrived. Called on the connection's read loop, one envelope at a time; the payload is valid
    /// only during the call (copy it to keep it). Must not block; an exception is logged and counted, and the loop
    /// goes on.
    /// </summary>
    void OnEnvelope(IPeerConnection connection, in Envelope envelope);

    /// <summary>The connection closed, for whatever reason; called exactly once, after the last <see cref="OnEnvelope"/>.</summary>
    void OnClosed(IPeerConnection connection, ConnectionClosed closed);
}

/// <summary>Why a connection closed.</summary>
/// <param name="CloseCode">The WebSocket close code received or sent, if any.</param>
/// <param name="Reason">A short description for logs.</param>
/// <param name="Error">The exception that ended it, if one did.</param>
internal sealed record ConnectionClosed(int? CloseCode, string Reason, Exception? Error);
