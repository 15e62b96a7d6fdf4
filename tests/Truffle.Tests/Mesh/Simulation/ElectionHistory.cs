using System.Globalization;
using System.Text;
using Truffle.Mesh;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>
/// Every state change of every node, checked as it happens: a second node reporting itself primary in a term that
/// already had one is a violation of "at most one primary per term".
/// </summary>
internal sealed class ElectionHistory
{
    private readonly Dictionary<ulong, string> _primaryOfTerm = [];
    private readonly List<string> _violations = [];
    private readonly List<(DateTimeOffset At, string Node, ElectionState State)> _changes = [];

    /// <summary>Same-term primaries are expected (and allowed) when a test starts nodes alone or splits two nodes.</summary>
    public bool AllowSameTermPrimaries { get; set; }

    public IReadOnlyList<string> Violations => _violations;

    public IReadOnlyList<(DateTimeOffset At, string Node, ElectionState State)> Changes => _changes;

    /// <summary>Every (term, primary) that was ever claimed, in order.</summary>
    public List<(ulong Term, string Primary)> Claims { get; } = [];

    public void Record(DateTimeOffset at, string node, ElectionState state)
    {
        _changes.Add((at, node, state));
        if (state.Role != MeshRole.Primary)
        {
            return;
        }

        if (_primaryOfTerm.TryGetValue(state.Term, out string? holder))
        {
            if (holder != node && !AllowSameTermPrimaries)
            {
                _violations.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{at:HH:mm:ss.fff}: {node} is primary of term {state.Term}, which {holder} already held"));
            }

            return;
        }

        _primaryOfTerm[state.Term] = node;
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
