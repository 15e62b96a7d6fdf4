using System.Text;

namespace Truffle.Generators.Parsing;

/// <summary>The naming rules of the wire: camelCase keys, kebab-case types, and what a namespace may look like.</summary>
internal static class WireNames
{
    public const int MaxLength = 63;

    private static readonly string[] s_reserved = ["truffle", "mesh", "sync"];

    /// <summary>Returns why <paramref name="name"/> is not a valid wire name, or null when it is.</summary>
    public static string? Validate(string? name)
    {
        if (name is null || name.Length == 0)
        {
            return "is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        if (name[0] < 'a' || name[0] > 'z')
        {
            return "must start with a lowercase ASCII letter (pattern ^[a-z][a-z0-9-]{0,62}$)";
        }

        foreach (char c in name)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                return $"contains '{c}'; only lowercase ASCII letters, digits and '-' are allowed (pattern ^[a-z][a-z0-9-]{{0,62}}$)";
            }
        }

        if (name.EndsWith("-", System.StringComparison.Ordinal) || name.IndexOf("--", System.StringComparison.Ordinal) >= 0)
        {
            return "may not end with '-' or contain '--' (so that every name maps to a distinct API name)";
        }

        return null;
    }

    public static bool IsReserved(string name) => System.Array.IndexOf(s_reserved, name) >= 0;

    /// <summary>A message's wire type: the attribute's explicit <c>Type</c>, else the kebab-case of the type name.</summary>
    public static string MessageType(string? explicitType, string typeName) => explicitType ?? ToKebabCase(typeName);

    /// <summary>What a message claims on the wire, for the duplicate check (TRF004).</summary>
    public static string MessageKey(string ns, string type) => $"message {ns}/{type}";

    /// <summary>The namespace and type of a <see cref="MessageKey"/>; null for a store or anything else.</summary>
    public static (string Namespace, string Type)? ParseMessageKey(string key)
    {
        const string Prefix = "message ";
        int slash = key.IndexOf('/');
        return key.StartsWith(Prefix, System.StringComparison.Ordinal) && slash > Prefix.Length
            ? (key.Substring(Prefix.Length, slash - Prefix.Length), key.Substring(slash + 1))
            : null;
    }

    /// <summary>What a slice claims on the wire, for the duplicate check (TRF004).</summary>
    public static string StoreKey(string storeId) => $"store {storeId}";

    /// <summary><c>ChatMessage</c> → <c>chat-message</c>, <c>HTTPRequest</c> → <c>http-request</c>.</summary>
    public static string ToKebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '_')
            {
                AppendSeparator(builder);
                continue;
            }

            if (char.IsUpper(c) && i > 0)
            {
                char previous = name[i - 1];
                bool nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);

                // An acronym's plural stays one word: URLs → urls, not ur-ls.
                bool pluralOfAcronym = nextIsLower && name[i + 1] == 's' && (i + 2 == name.Length || !char.IsLower(name[i + 2]));
                nextIsLower &= !pluralOfAcronym;
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    AppendSeparator(builder);
                }
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString().Trim('-');
    }

    /// <summary><c>OpenFiles</c> → <c>openFiles</c>, <c>ID</c> → <c>id</c>, <c>URLValue</c> → <c>urlValue</c>.</summary>
    public static string ToCamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        char[] chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            bool hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    /// <summary><c>chat</c> → <c>Chat</c>, <c>file-sync</c> → <c>FileSync</c>.</summary>
    public static string ToPascalCase(string wireName)
    {
        var builder = new StringBuilder(wireName.Length);
        bool upper = true;
        foreach (char c in wireName)
        {
            if (c == '-')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.ToString();
    }

    /// <summary>The namespace API type of a wire namespace: <c>chat</c> → <c>ChatBus</c>.</summary>
    public static string ApiTypeName(string wireNamespace) => ToPascalCase(wireNamespace) + "Bus";

    private static void AppendSeparator(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[builder.Length - 1] != '-')
        {
            builder.Append('-');
        }
    }
}
