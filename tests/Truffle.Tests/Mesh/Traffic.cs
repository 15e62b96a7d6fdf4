using System.Buffers.Binary;
using Truffle.Messaging;
using Truffle.Tests.Support;

namespace Truffle.Tests.Mesh;

/// <summary>
/// Honest traffic in a <see cref="LoopbackMesh"/>: every node broadcasts in turn on one namespace (through the primary,
/// in star routing) and records what it receives, so a test can show that every message reached every other node.
/// </summary>
internal sealed class Traffic(LoopbackMesh mesh)
{
    private const int PayloadBytes = 32 << 10;

    private readonly string _namespace = Test.UniqueNamespace();
    private readonly List<TruffleNode> _nodes = [];
    private readonly Dictionary<TruffleNode, HashSet<(string From, int Sequence)>> _received = [];
    private readonly List<(string From, int Sequence)> _sent = [];

    /// <summary>Subscribes <paramref name="node"/> and makes it one of the senders.</summary>
    public void Add(TruffleNode node)
    {
        var received = new HashSet<(string, int)>();
        _received[node] = received;
        _nodes.Add(node);
        node.Bus.Subscribe(_namespace, null, (message, _) =>
        {
            lock (received)
            {
                received.Add((message.From, BinaryPrimitives.ReadInt32LittleEndian(message.Payload.Span)));
            }

            mesh.Poke();
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Broadcasts in turn until <paramref name="done"/> completes; fails after 4,000 messages (125 MiB).</summary>
    public async Task UntilAsync(Task done)
    {
        for (int i = 0; !done.IsCompleted; i++)
        {
            if (i == 4_000)
            {
                throw new TimeoutException("Still not done after 4,000 broadcasts.");
            }

            await SendOneAsync();
        }
    }

    /// <summary>Broadcasts <paramref name="count"/> more in turn.</summary>
    public async Task SendAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await SendOneAsync();
        }
    }

    /// <summary>Waits until every node has received every message the others sent.</summary>
    public async Task AllDeliveredAsync()
    {
        try
        {
            await mesh.UntilAsync(Delivered);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; missing: {string.Join("; ", _nodes.Select(n => $"{n.DeviceId[..8]} {Missing(n)}"))}", e);
        }
    }

    private string Missing(TruffleNode node)
    {
        HashSet<(string From, int Sequence)> received = _received[node];
        lock (received)
        {
            return string.Join(",", _sent.Where(m => m.From != node.DeviceId && !received.Contains(m)).Select(m => $"{m.From[..8]}#{m.Sequence}")) + $" of {_sent.Count}";
        }
    }

    private string? Delivered()
    {
        foreach (TruffleNode node in _nodes)
        {
            HashSet<(string From, int Sequence)> received = _received[node];
            lock (received)
            {
                if (!_sent.Where(m => m.From != node.DeviceId).All(received.Contains))
                {
                    return null;
                }
            }
        }

        return "delivered";
    }

    private async Task SendOneAsync()
    {
        int sequence = _sent.Count;
        TruffleNode sender = _nodes[sequence % _nodes.Count];
        byte[] payload = new byte[PayloadBytes];
        BinaryPrimitives.WriteInt32LittleEndian(payload, sequence);
        await sender.Bus.BroadcastAsync(_namespace, "item", payload).AsTask().WaitAsync(Test.Timeout);
        _sent.Add((sender.DeviceId, sequence));
    }
}
