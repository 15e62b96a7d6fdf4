using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>Adds to the transport's instruments in <see cref="TruffleMetrics"/> with their tags.</summary>
internal sealed class TransportMetrics(TruffleMetrics metrics)
{
    public void HandshakeRejected(int code) =>
        metrics.HandshakeRejected.Add(1, new KeyValuePair<string, object?>("code", code));

    public void ProtocolError(string reason) =>
        metrics.TransportProtocolErrors.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void EnvelopeDropped(string reason) =>
        metrics.EnvelopesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Disconnected(string reason) =>
        metrics.TransportDisconnects.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
