namespace Truffle.Hosting;

/// <summary>Where the hosted node is in its life, as <see cref="HostedTruffleNode.State"/> and the health check report it.</summary>
public enum TruffleNodeState
{
    /// <summary>The host has not started yet.</summary>
    NotStarted,

    /// <summary>The host is starting the node: the sidecar is joining the network.</summary>
    Starting,

    /// <summary>The node is on the network and its handlers are attached.</summary>
    Running,

    /// <summary>The host is stopping: handlers are detached and the node says goodbye.</summary>
    Stopping,

    /// <summary>The node has said goodbye and left the network.</summary>
    Stopped,

    /// <summary>The node did not start; <see cref="HostedTruffleNode.Failure"/> says why.</summary>
    Failed,
}
