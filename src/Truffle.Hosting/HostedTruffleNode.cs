namespace Truffle.Hosting;

/// <summary>
/// The node that the host runs, and where it is in its life. Registered by <c>services.AddTruffle(...)</c>; take it
/// in any service that is created before the host has started (a hosted service, a singleton built at start-up) and
/// await <see cref="WaitForStartAsync"/>, because <see cref="TruffleNode"/>, <see cref="IMessageBus"/> and
/// <see cref="Sync.SyncEngine"/> themselves can only be resolved from the container once the node runs.
/// </summary>
/// <example>
/// <code>
/// sealed class Announcer(HostedTruffleNode truffle) : BackgroundService
/// {
///     protected override async Task ExecuteAsync(CancellationToken stoppingToken)
///     {
///         TruffleNode node = await truffle.WaitForStartAsync(stoppingToken);
///         await node.Bus.Chat.Broadcast(new ChatMessage("hello"), stoppingToken);
///     }
/// }
/// </code>
/// </example>
public sealed class HostedTruffleNode
{
    private readonly TaskCompletionSource<TruffleNode> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TruffleNode? _node;

    internal HostedTruffleNode()
    {
    }

    /// <summary>Where the node is in its life.</summary>
    public TruffleNodeState State { get; private set; }

    /// <summary>Why the node did not start, when <see cref="State"/> is <see cref="TruffleNodeState.Failed"/>; otherwise null.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The running node.</summary>
    /// <exception cref="InvalidOperationException">
    /// The node is not running: the host has not started it yet, it failed to start (the inner exception says why),
    /// or it has stopped.
    /// </exception>
    public TruffleNode Node => Current ?? throw NotRunning();

    /// <summary>
    /// Completes with the node once the host has started it. Safe to call at any time, from any service.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node failed to start (the inner exception says why), or the host stopped before it started.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task<TruffleNode> WaitForStartAsync(CancellationToken cancellationToken = default) => _started.Task.WaitAsync(cancellationToken);

    /// <summary>The node while it runs (and while it stops); null otherwise.</summary>
    internal TruffleNode? Current
    {
        get
        {
            lock (_gate)
            {
                return _node;
            }
        }
    }

    internal void Starting() => Move(TruffleNodeState.Starting);

    internal void Running(TruffleNode node)
    {
        lock (_gate)
        {
            _node = node;
            State = TruffleNodeState.Running;
        }

        _started.TrySetResult(node);
    }

    internal void Failed(Exception failure)
    {
        lock (_gate)
        {
            _node = null;
            Failure = failure;
            State = TruffleNodeState.Failed;
        }

        _started.TrySetException(NotRunning());
    }

    internal void Stopping() => Move(TruffleNodeState.Stopping);

    internal void Stopped()
    {
        lock (_gate)
        {
            _node = null;
            if (State != TruffleNodeState.Failed)
            {
                State = TruffleNodeState.Stopped;
            }
        }

        _started.TrySetException(NotRunning());
    }

    private void Move(TruffleNodeState state)
    {
        lock (_gate)
        {
            if (State != TruffleNodeState.Failed)
            {
                State = state;
            }
        }
    }

    private InvalidOperationException NotRunning() => State switch
    {
        TruffleNodeState.Failed => new InvalidOperationException("The Truffle node failed to start: " + Failure?.Message, Failure),
        TruffleNodeState.Stopping or TruffleNodeState.Stopped => new InvalidOperationException("The Truffle node has stopped with the host."),
        _ => new InvalidOperationException(
            "The Truffle node has not started yet: it starts with the host (IHost.StartAsync). Resolve TruffleNode, " +
            "IMessageBus or SyncEngine after the host has started, or take HostedTruffleNode and await WaitForStartAsync()."),
    };
}
