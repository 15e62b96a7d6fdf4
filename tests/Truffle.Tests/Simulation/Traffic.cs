using System.Buffers.Binary;
using System.Text;
using Xunit;

namespace Truffle.Tests.Simulation;

/// <summary>
/// Application traffic on a simulated network: every few milliseconds a random running device sends a message to a
/// random other device or broadcasts one, through its <see cref="MessageBus"/>. Each payload names its true origin,
/// the origin's incarnation and a counter that grows with every message that process sends, so receivers can be
/// checked.
/// </summary>
internal sealed class Traffic
{
    /// <summary>The namespace the traffic uses; every device's bus records what it receives on it.</summary>
    public const string Namespace = "sim";

    private readonly SimulatedNetwork _network;
    private readonly TimeSpan _meanInterval;
    private readonly Dictionary<(string Node, int Incarnation), long> _counters = [];
    private bool _stopped;

    private Traffic(SimulatedNetwork network, TimeSpan meanInterval)
    {
        _network = network;
        _meanInterval = meanInterval;
    }

    /// <summary>Messages handed to a bus.</summary>
    public int Sent { get; private set; }

    /// <summary>Sends refused at once (no way to the target).</summary>
    public int Unreachable { get; private set; }

    /// <summary>Sends that a secondary of a star mesh handed to its primary to relay (or deliver).</summary>
    public int ThroughPrimary { get; private set; }

    /// <summary>Every message handed to a bus: its sender, its target (empty for a broadcast) and its counter.</summary>
    public List<(string From, string To, long Counter)> Messages { get; } = [];

    public static Traffic Start(SimulatedNetwork network, TimeSpan meanInterval)
    {
        var traffic = new Traffic(network, meanInterval);
        traffic.ScheduleNext();
        return traffic;
    }

    /// <summary>No message after this one.</summary>
    public void Stop() => _stopped = true;

    public static (string Origin, int Incarnation, long Counter) Decode(ReadOnlySpan<byte> payload) =>
        (Encoding.UTF8.GetString(payload[12..]), BinaryPrimitives.ReadInt32LittleEndian(payload), BinaryPrimitives.ReadInt64LittleEndian(payload[4..]));

    private void ScheduleNext()
    {
        long max = Math.Max(1, _meanInterval.Ticks * 2);
        _network.At(TimeSpan.FromTicks(_network.Random.NextInt64(1, max)), Tick);
    }

    private void Tick()
    {
        if (_stopped)
        {
            return;
        }

        ScheduleNext();
        List<SimNode> running = [.. _network.Nodes.Where(n => n.Alive && !n.Paused)];
        if (running.Count == 0)
        {
            return;
        }

        SimNode sender = running[_network.Random.Next(running.Count)];
        List<SimNode> others = [.. _network.Nodes.Where(n => n != sender)];
        if (others.Count == 0)
        {
            return;
        }

        string to = _network.Random.Next(3) == 0 ? "" : others[_network.Random.Next(others.Count)].Id;
        byte[] payload = Encode(sender);
        Truffle.Mesh.ElectionState state = sender.Mesh.State;
        try
        {
            Task sending = to.Length == 0
                ? sender.Bus.BroadcastAsync(Namespace, "m", payload).AsTask()
                : sender.Bus.SendAsync(to, Namespace, "m", payload).AsTask();
            Assert.True(sending.IsCompleted, "a simulated send never waits");
            sending.GetAwaiter().GetResult();
            Sent++;
            Messages.Add((sender.Id, to, Decode(payload).Counter));
            if (_network.Routing == TruffleRouting.Star && state.Role == MeshRole.Secondary && state.PrimaryId != to
                && state.PrimaryId is { } primary && sender.IsConnected(primary) && (to.Length == 0 || sender.IsConnected(to)))
            {
                ThroughPrimary++;
            }
        }
        catch (DeviceUnreachableException)
        {
            Unreachable++;
        }
    }

    private byte[] Encode(SimNode sender)
    {
        (string, int) key = (sender.Id, sender.Incarnation);
        long counter = _counters[key] = _counters.GetValueOrDefault(key) + 1;
        byte[] origin = Encoding.UTF8.GetBytes(sender.Id);
        byte[] payload = new byte[12 + origin.Length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, sender.Incarnation);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(4), counter);
        origin.CopyTo(payload, 12);
        return payload;
    }
}
