using Truffle.Mesh;
using Truffle.Wire;

namespace Truffle.Tests.Simulation;

/// <summary>
/// The endpoint seam's other side in the simulation: the mesh itself, with a count of the plain messages of one
/// namespace handed to the bus, so a test knows when the bus's handler has taken all of them.
/// </summary>
internal sealed class CountingEndpoint(IMeshEndpoint mesh, string messageNamespace, Action counted) : IMeshEndpoint
{
    public string DeviceId => mesh.DeviceId;

    public int MaxPayloadBytes => mesh.MaxPayloadBytes;

    public event EventHandler<TruffleDevice>? DeviceConnected
    {
        add => mesh.DeviceConnected += value;
        remove => mesh.DeviceConnected -= value;
    }

    public event EventHandler<TruffleDevice>? DeviceOffline
    {
        add => mesh.DeviceOffline += value;
        remove => mesh.DeviceOffline -= value;
    }

    public event EventHandler<string>? DeviceLeft
    {
        add => mesh.DeviceLeft += value;
        remove => mesh.DeviceLeft -= value;
    }

    public ValueTask SendAsync(
        string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, Correlation correlation, CancellationToken cancellationToken) =>
        mesh.SendAsync(to, messageNamespace, messageType, payload, correlation, cancellationToken);

    public ValueTask BroadcastAsync(string messageNamespace, string messageType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        mesh.BroadcastAsync(messageNamespace, messageType, payload, cancellationToken);

    public bool Post(string to, string messageNamespace, string messageType, ReadOnlyMemory<byte> payload) =>
        mesh.Post(to, messageNamespace, messageType, payload);

    public void SetReceiver(string? receiverNamespace, IMeshReceiver receiver) =>
        mesh.SetReceiver(receiverNamespace, new Counting(receiver, messageNamespace, counted));

    private sealed class Counting(IMeshReceiver inner, string messageNamespace, Action counted) : IMeshReceiver
    {
        public Task? OnEnvelope(in Envelope envelope)
        {
            if (envelope.Namespace == messageNamespace && envelope.Flags == EnvelopeFlags.None)
            {
                counted();
            }

            return inner.OnEnvelope(envelope);
        }
    }
}
