using Truffle.Transport;
using Truffle.Wire;

namespace Truffle.Tests.Simulation;

/// <summary>
/// One end of a simulated connection between two processes, past its handshake: what the mesh gets from
/// <see cref="IPeerNetwork"/>. Envelopes go through <see cref="SimulatedNetwork.Carry"/>; queues are never full, so
/// nothing waits. A close reaches the other end after the envelopes in flight, as a close frame would.
/// </summary>
internal sealed class SimConnection : IPeerConnection
{
    private readonly SimulatedNetwork _network;
    private readonly SimPeerNetwork _process;
    private readonly TaskCompletionSource _completion = new(); // continuations inline, on the simulation's thread
    private readonly List<Envelope> _early = [];
    private IConnectionHandler? _handler;

    private SimConnection(SimulatedNetwork network, SimNode owner, SimNode remote, Hello remoteHello, bool isOutgoing)
    {
        _network = network;
        Owner = owner;
        _process = owner.Network!;
        Remote = remoteHello;
        RemoteNode = remote;
        IsOutgoing = isOutgoing;
    }

    /// <summary>The device whose process holds this end.</summary>
    public SimNode Owner { get; }

    /// <summary>The device at the other end.</summary>
    public SimNode RemoteNode { get; }

    /// <summary>The other end.</summary>
    public SimConnection Other { get; private set; } = null!;

    /// <summary>When the last envelope sent on this end arrives: later ones arrive no earlier (first in first out).</summary>
    public long LastArrival { get; set; }

    public bool IsClosed { get; private set; }

    public Hello Remote { get; }

    public bool IsOutgoing { get; }

    public string DeviceId => Remote.DeviceId;

    public Task Completion => _completion.Task;

    /// <summary>True once the process holding this end has ended (stopped or killed).</summary>
    public bool ProcessEnded => _process.Ended;

    /// <summary>Both ends of a new connection from <paramref name="client"/> (which dialled) to <paramref name="server"/>.</summary>
    public static (SimConnection Client, SimConnection Server) Pair(
        SimulatedNetwork network, SimNode client, Hello clientHello, SimNode server, Hello serverHello)
    {
        var clientEnd = new SimConnection(network, client, server, serverHello, isOutgoing: true);
        var serverEnd = new SimConnection(network, server, client, clientHello, isOutgoing: false);
        clientEnd.Other = serverEnd;
        serverEnd.Other = clientEnd;
        network.Opened(clientEnd);
        network.Opened(serverEnd);
        return (clientEnd, serverEnd);
    }

    /// <summary>Whether this connection runs between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public bool Joins(SimNode a, SimNode b) => (Owner == a && RemoteNode == b) || (Owner == b && RemoteNode == a);

    public void Start(IConnectionHandler handler)
    {
        if (_handler is not null)
        {
            throw new InvalidOperationException("The connection was started already.");
        }

        _handler = handler;
        _process.Attached[DeviceId] = _process.Attached.GetValueOrDefault(DeviceId) + 1;
        foreach (Envelope envelope in _early)
        {
            if (!IsClosed)
            {
                handler.OnEnvelope(this, envelope);
            }
        }

        _early.Clear();
    }

    public ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        if (IsClosed)
        {
            throw new ConnectionClosedException($"The connection to {DeviceId} is closed.");
        }

        _network.Carry(this, envelope);
        return ValueTask.CompletedTask;
    }

    public bool TrySend(in Envelope envelope)
    {
        if (IsClosed)
        {
            return false;
        }

        _network.Carry(this, envelope);
        return true;
    }

    public bool SendOverBound(in Envelope envelope) => TrySend(envelope);

    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void PauseReadingUntil(Task resume)
    {
    }

    public ValueTask CloseAsync(int code, string reason)
    {
        if (!IsClosed)
        {
            _network.CheckThread("close");
            _network.CarryClose(this, code, reason);
            End(code, reason);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (!IsClosed)
        {
            _network.CheckThread("abort");
            _network.CarryClose(this, null, "connection reset");
            End(null, "aborted");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Keep-alive gave up on this end while the link was down. The other end learns it (a reset) once a packet gets
    /// through again, or gives up by itself.
    /// </summary>
    public void Lose(string reason) => OnPeer(() =>
    {
        if (!IsClosed)
        {
            End(null, reason);
            _network.ResetWhenReachable(this);
        }
    });

    /// <summary>The process holding this end died: it ends without a word, and the other end sees a reset.</summary>
    public void Abandon()
    {
        if (!IsClosed)
        {
            IsClosed = true;
            Detach();
            _network.CarryClose(this, null, "connection reset");
            _completion.TrySetResult();
            _network.Closed(this);
        }
    }

    /// <summary>Runs <paramref name="action"/> as this end's process: now, when it resumes, or never if it ended.</summary>
    public void OnPeer(Action action)
    {
        if (!_process.Ended)
        {
            Owner.OnNode(() =>
            {
                if (!_process.Ended)
                {
                    action();
                }
            });
        }
    }

    /// <summary>An envelope arrived on this end.</summary>
    public void Receive(in Envelope envelope)
    {
        if (IsClosed)
        {
            return;
        }

        if (_handler is null)
        {
            _early.Add(envelope with { Payload = envelope.Payload.ToArray() });
            return;
        }

        _handler.OnEnvelope(this, envelope);
    }

    /// <summary>The other end closed (or reset) the connection.</summary>
    public void CloseFromPeer(int? code, string reason) => End(code, reason);

    private void End(int? code, string reason)
    {
        if (IsClosed)
        {
            return;
        }

        IsClosed = true;
        Detach();
        _handler?.OnClosed(this, new ConnectionClosed(code, reason, null));
        _completion.TrySetResult();
        _network.Closed(this);
    }

    private void Detach()
    {
        if (_handler is not null && _process.Attached.TryGetValue(DeviceId, out int count))
        {
            if (count <= 1)
            {
                _process.Attached.Remove(DeviceId);
            }
            else
            {
                _process.Attached[DeviceId] = count - 1;
            }
        }
    }
}
