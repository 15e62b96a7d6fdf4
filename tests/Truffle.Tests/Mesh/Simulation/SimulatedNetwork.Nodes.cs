using Truffle.Mesh;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>Processes dying and coming back, and what the nodes agree on.</summary>
internal sealed partial class SimulatedNetwork
{
    /// <summary>The process dies: its peers see the connection close at once.</summary>
    public void Kill(SimNode node)
    {
        node.Kill();
        foreach (SimNode peer in Nodes.Where(p => p != node && p.Alive))
        {
            OnNode(peer, () =>
            {
                if (peer.Alive)
                {
                    peer.Disconnect(node.Id);
                }
            });
        }
    }

    /// <summary>A new process with the persisted term; it reconnects to every reachable node and starts.</summary>
    public void Revive(SimNode node)
    {
        if (node.Alive)
        {
            return;
        }

        node.Revive();
        foreach (SimNode peer in Nodes.Where(p => p != node && p.Alive && IsUp(node, p)))
        {
            Join(node, peer);
            OnNode(peer, () =>
            {
                if (node.Alive && IsUp(node, peer))
                {
                    Join(peer, node);
                }
            });
        }

        node.Election.Start(peersExpected: true);
    }

    /// <summary>
    /// The one primary every live node agrees on (same term, every other live node its secondary), or null.
    /// </summary>
    public SimNode? AgreedPrimary(IEnumerable<SimNode>? among = null)
    {
        List<SimNode> nodes = [.. (among ?? Nodes).Where(n => n.Alive)];
        List<SimNode> primaries = [.. nodes.Where(n => n.IsPrimary)];
        if (primaries.Count != 1)
        {
            return null;
        }

        SimNode primary = primaries[0];
        bool agreed = nodes.All(n => n == primary
            || (n.Reported.Role == MeshRole.Secondary && n.Reported.PrimaryId == primary.Id && n.Reported.Term == primary.Reported.Term));
        return agreed ? primary : null;
    }

    /// <summary>Live nodes that report themselves primary, with their terms.</summary>
    public string Describe() => string.Join(", ", Nodes.Select(n =>
        $"{n.Id}:{(n.Alive ? n.Reported.Role.ToString() : "dead")}/{n.Reported.PrimaryId ?? "-"}/t{n.Reported.Term}"));
}
