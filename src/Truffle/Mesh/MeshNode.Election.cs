using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Mesh;

/// <content>The election's output: its messages as control envelopes, its decisions as events and a persisted term.</content>
internal sealed partial class MeshNode
{
    /// <inheritdoc/>
    void IElectionOutput.Send(string deviceId, ElectionMessage message)
    {
        if (_connections.TryGetValue(deviceId, out IPeerConnection? connection))
        {
            connection.SendOverBound(ElectionEnvelope(deviceId, message));
        }
    }

    /// <inheritdoc/>
    void IElectionOutput.Broadcast(ElectionMessage message)
    {
        foreach (IPeerConnection connection in _connections.Values)
        {
            connection.SendOverBound(ElectionEnvelope(connection.Remote.DeviceId, message));
        }
    }

    /// <inheritdoc/>
    void IElectionOutput.StateChanged(ElectionState state)
    {
        ElectionState previous = _lastState;
        _lastState = state;
        _identity.PersistTerm(state.Term);
        if (previous.Role == state.Role && previous.PrimaryId == state.PrimaryId)
        {
            return;
        }

        MeshLog.RoleChanged(_logger, state.Role, state.PrimaryId ?? "(none)", state.Term);
        foreach (TruffleDevice device in _devices.Values)
        {
            MeshRole role = RoleOf(device.Id, state);
            if (role != device.Role)
            {
                TruffleDevice updated = _devices[device.Id] = device with { Role = role };
                Raise(DeviceUpdated, updated);
            }
        }

        Raise(RoleChanged, new MeshRoleChange(state.Role, state.PrimaryId, state.Term));
    }

    private Envelope ElectionEnvelope(string to, ElectionMessage message) =>
        Control(ControlTypes.Election, to, ElectionMessageCodec.Encode(message)) with { Term = message.Term };
}
