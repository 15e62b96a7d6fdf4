using System.Collections.Generic;
using System.Linq;
using Truffle.Generators.Model;

namespace Truffle.Generators.Schema;

/// <summary>
/// What changed in a member's enum against the lock, in words for TRF015: a recorded value whose number changed or
/// that is gone. Added values are compatible (older readers see their number), and so is an enum turned into its
/// underlying integer or back (the lock then records no enum on one side), or a renamed enum whose values keep their
/// names and numbers.
/// </summary>
internal static class EnumChanges
{
    /// <summary>The changes, or null when every recorded value keeps its name and number.</summary>
    public static string? Between(SchemaEnum? locked, SchemaEnum? current)
    {
        if (locked is null || current is null)
        {
            return null;
        }

        var numbers = current.Values.ToDictionary(v => v.Name, v => v.Number, System.StringComparer.Ordinal);
        var changes = new List<string>();
        foreach (EnumValue value in locked.Values)
        {
            if (!numbers.TryGetValue(value.Name, out string? number))
            {
                changes.Add($"{locked.Name}.{value.Name} = {value.Number} is gone");
            }
            else if (number != value.Number)
            {
                changes.Add($"{current.Name}.{value.Name} is {number}, recorded as {value.Number}");
            }
        }

        if (changes.Count == 0)
        {
            return null;
        }

        string enumChanged = locked.Name == current.Name ? string.Empty : $"its enum is now {current.Name}, recorded as {locked.Name}, and ";
        return enumChanged + string.Join("; ", changes);
    }
}
