using System.Globalization;
using System.Text;
using Truffle.Mesh;

namespace Truffle.Tests.Simulation;

/// <summary>
/// Every state change of every node, checked as it happens: two nodes that each became primary of one term with a
/// membership of three or more (so each with a majority's grant) violate "at most one primary per term where a
/// majority exists". A claim made without a majority to ask (a lone start, the two-member rule) may share its term
/// by design (SPEC §5, docs/election.md): the better rank keeps it when they meet.
/// </summary>
internal sealed class ElectionHistory
{
    private readonly Dictionary<ulong, (string Node, int Membership)> _primaryOfTerm = [];
    private readonly List<string> _violations = [];
    private readonly List<(DateTimeOffset At, string Node, ElectionState State)> _changes = [];

    /// <summary>Same-term primaries are expected (and allowed) when a test starts nodes alone or splits two nodes.</summary>
    public bool AllowSameTermPrimaries { get; set; }

    public IReadOnlyList<string> Violations => _violations;

    public IReadOnlyList<(DateTimeOffset At, string Node, ElectionState State)> Changes => _changes;

    /// <summary>Every (term, primary) that was ever claimed, in order.</summary>
    public List<(ulong Term, string Primary)> Claims { get; } = [];

    /// <param name="at">When, on the simulated clock.</param>
    /// <param name="node">Whose state changed.</param>
    /// <param name="state">Its new state.</param>
    /// <param name="membership">Its election's membership at that moment, itself included.</param>
    public void Record(DateTimeOffset at, string node, ElectionState state, int membership)
    {
        _changes.Add((at, node, state));
        if (state.Role != MeshRole.Primary)
        {
            return;
        }

        if (_primaryOfTerm.TryGetValue(state.Term, out (string Node, int Membership) holder))
        {
            if (holder.Node != node && !AllowSameTermPrimaries && holder.Membership >= 3 && membership >= 3)
            {
                _violations.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{at:HH:mm:ss.fff}: {node} is primary of term {state.Term} (membership {membership}), which {holder.Node} already held (membership {holder.Membership})"));
            }

            return;
        }

        _primaryOfTerm[state.Term] = (node, membership);
        Claims.Add((state.Term, node));
    }

    /// <summary>The last state changes, for a failure message.</summary>
    public string Tail(int count = 40)
    {
        var text = new StringBuilder();
        foreach ((DateTimeOffset at, string node, ElectionState state) in _changes.Skip(Math.Max(0, _changes.Count - count)))
        {
            text.Append(CultureInfo.InvariantCulture, $"{at:HH:mm:ss.fff} {node}: {state.Role} of {state.PrimaryId ?? "-"} in term {state.Term}\n");
        }

        return text.ToString();
    }
}
