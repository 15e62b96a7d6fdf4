using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>Adds to the transport's instruments in <see cref="TruffleMetrics"/> with their tags.</summary>
internal static class TransportMetrics
{
    public static void HandshakeRejected(int code) =>
        TruffleMetrics.HandshakeRejected.Add(1, new KeyValuePair<string, object?>("code", code));

    public static void ProtocolError(string reason) =>
        TruffleMetrics.TransportProtocolErrors.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void EnvelopeDropped(string reason) =>
        TruffleMetrics.EnvelopesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void Disconnected(string reason) =>
        TruffleMetrics.TransportDisconnects.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
