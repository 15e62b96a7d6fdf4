using System.Text;

namespace Truffle.Generators.Helpers;

/// <summary>Turns an arbitrary name (an assembly name) into a valid dotted C# namespace.</summary>
internal static class Identifiers
{
    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length + 2);
        foreach (string segment in name.Split('.'))
        {
            if (segment.Length == 0)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            if (!char.IsLetter(segment[0]) && segment[0] != '_')
            {
                builder.Append('_');
            }

            foreach (char c in segment)
            {
                builder.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
            }
        }

        return builder.Length == 0 ? "Assembly" : builder.ToString();
    }
}
