using System.Buffers.Binary;
using Truffle.Transport;

namespace Truffle.Mesh;

/// <content>
/// Round-trip times: every <see cref="PingInterval"/> each connection gets a ping carrying this node's timestamp;
/// the peer echoes it, and the elapsed time goes to the <c>truffle.mesh.rtt</c> histogram, tagged with the peer.
/// </content>
internal sealed partial class MeshNode
{
    private void PingAll()
    {
        foreach (IPeerConnection connection in _connections.Values)
        {
            Ping(connection);
        }
    }

    /// <summary>Pings one connection; also done once right after its handshake, so a new peer has a round trip at once.</summary>
    private void Ping(IPeerConnection connection)
    {
        byte[] stamp = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(stamp, _time.GetTimestamp());
        connection.SendOverBound(Control(ControlTypes.Ping, connection.Remote.DeviceId, stamp));
    }

    /// <summary>
    /// Echoes a ping's stamp. Only a stamp of our own size is answered: the pong is queued past the send bound, so an
    /// echo of whatever a peer sends would let it grow this node's queue by a megabyte per ping.
    /// </summary>
    private void OnPing(IPeerConnection connection, ReadOnlyMemory<byte> stamp)
    {
        if (stamp.Length != sizeof(long))
        {
            _metrics.Mesh.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "control"));
            return;
        }

        connection.SendOverBound(Control(ControlTypes.Pong, connection.Remote.DeviceId, stamp));
    }

    private void OnPong(string peer, ReadOnlySpan<byte> stamp)
    {
        if (stamp.Length != sizeof(long))
        {
            _metrics.Mesh.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "control"));
            return;
        }

        TimeSpan elapsed = _time.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(stamp));
        if (elapsed >= TimeSpan.Zero && elapsed < TimeSpan.FromMinutes(1))
        {
            _metrics.Mesh.RoundTrip.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("peer", peer));
        }
    }
}
