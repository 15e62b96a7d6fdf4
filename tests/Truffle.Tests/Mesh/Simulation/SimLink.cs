using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>
/// One node's connection to a peer, as its <see cref="Truffle.Mesh.Router"/> sees it: every envelope goes into the
/// simulated network, first in first out like a TCP stream. Queues are never full, so nothing waits.
/// </summary>
internal sealed class SimLink(SimulatedNetwork network, SimNode from, SimNode to) : IPeerLink
{
    public string DeviceId => to.Id;

    public ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        network.Transmit(this, from, to, envelope);
        return ValueTask.CompletedTask;
    }

    public bool TrySend(in Envelope envelope)
    {
        network.Transmit(this, from, to, envelope);
        return true;
    }

    public bool SendControl(in Envelope envelope) => TrySend(envelope);

    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void PauseReadingUntil(Task resume)
    {
    }
}
