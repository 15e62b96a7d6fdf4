using System.Collections.Concurrent;

namespace Truffle;

/// <summary>
/// The application envelopes one node sent, received and relayed, in total and per other device, as this node saw
/// them (the <c>Truffle</c> meter counts the same for the whole process). Reach it as <c>node.Traffic</c>; tools such
/// as <c>truffle dev</c> show it per device. Every member is thread-safe.
/// </summary>
/// <remarks>
/// Per device, "sent to" counts the envelopes this node put on the way to that device (addressed to it, or queued on
/// its connection as part of a broadcast or a relay) and "received from" those delivered here with it as sender.
/// At most <see cref="MaxPeers"/> devices are counted one by one, so a stream of new ids cannot grow it without end;
/// the totals count everything.
/// </remarks>
public sealed class MeshTraffic
{
    /// <summary>How many devices are counted one by one.</summary>
    public const int MaxPeers = 1024;

    private readonly ConcurrentDictionary<string, PeerCounts> _peers = new(StringComparer.Ordinal);
    private long _sent;
    private long _received;
    private long _relayed;

    internal MeshTraffic()
    {
    }

    /// <summary>Envelopes this node sent (direct, routed through the primary, or fanned out), one per receiving connection.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Envelopes delivered to a layer of this node (messages, requests, replies, sync).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Envelopes this node, as primary, forwarded for another device.</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    /// <summary>Envelopes this node sent or relayed on the way to <paramref name="deviceId"/>.</summary>
    public long SentTo(string deviceId) => _peers.TryGetValue(deviceId, out PeerCounts? counts) ? Interlocked.Read(ref counts.SentTo) : 0;

    /// <summary>Envelopes delivered to this node with <paramref name="deviceId"/> as sender.</summary>
    public long ReceivedFrom(string deviceId) => _peers.TryGetValue(deviceId, out PeerCounts? counts) ? Interlocked.Read(ref counts.ReceivedFrom) : 0;

    internal void CountSent(string to)
    {
        Interlocked.Increment(ref _sent);
        if (Peer(to) is { } counts)
        {
            Interlocked.Increment(ref counts.SentTo);
        }
    }

    internal void CountRelayed(string to)
    {
        Interlocked.Increment(ref _relayed);
        if (Peer(to) is { } counts)
        {
            Interlocked.Increment(ref counts.SentTo);
        }
    }

    internal void CountReceived(string from)
    {
        Interlocked.Increment(ref _received);
        if (Peer(from) is { } counts)
        {
            Interlocked.Increment(ref counts.ReceivedFrom);
        }
    }

    private PeerCounts? Peer(string deviceId)
    {
        if (_peers.TryGetValue(deviceId, out PeerCounts? counts))
        {
            return counts;
        }

        // The count may overshoot by a racing add or two; the bound only has to be finite.
        return deviceId.Length == 0 || _peers.Count >= MaxPeers ? null : _peers.GetOrAdd(deviceId, static _ => new PeerCounts());
    }

    private sealed class PeerCounts
    {
#pragma warning disable SA1401, CA1051 // fields, so that Interlocked can update them in place
        public long SentTo;
        public long ReceivedFrom;
#pragma warning restore SA1401, CA1051
    }
}
