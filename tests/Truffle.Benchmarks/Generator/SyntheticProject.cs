using System.Globalization;
using System.Text;

namespace Truffle.Benchmarks.Generator;

/// <summary>
/// The source of a made-up app with many annotated types: records (positional and with init properties) and classes,
/// members of every supported kind (primitives, strings, nullables, enums, Guid/DateTime/TimeSpan/DateTimeOffset,
/// byte arrays, lists, immutable arrays, dictionaries, other annotated types and lists of them), spread over
/// <see cref="NamespaceCount"/> wire namespaces, every 25th type a request answered by the type before it.
/// </summary>
/// <remarks>Deterministic: the same counts always give the same text.</remarks>
internal static class SyntheticProject
{
    public const int NamespaceCount = 20;

    /// <summary>Each member kind's type; <c>{0}</c> stands for an earlier annotated type.</summary>
    private static readonly string[] s_memberTypes =
    [
        "int",
        "string",
        "long",
        "bool",
        "double",
        "string?",
        "DateTime",
        "Guid",
        "List<string>",
        "ImmutableArray<int>",
        "Dictionary<string, long>",
        "int?",
        "byte[]",
        "TimeSpan",
        "Level",
        "{0}",
        "List<{0}>",
        "IReadOnlyList<double>",
        "decimal",
        "DateTimeOffset",
        "{0}?",
        "ImmutableArray<string>",
        "ushort",
        "float",
    ];

    private static readonly string[] s_memberNames =
    [
        "Id", "Name", "Count", "Total", "Enabled", "Ratio", "Note", "CreatedAt", "Key", "Tags", "Values", "Scores",
        "Limit", "Payload", "Timeout", "Level", "Child", "Children", "Samples", "Price", "Since", "Parent",
    ];

    /// <summary>The files of a project with <paramref name="typeCount"/> annotated types, as (path, text).</summary>
    public static IReadOnlyList<(string Path, string Text)> Files(int typeCount)
    {
        var files = new List<(string, string)>(typeCount + NamespaceCount + 1);
        for (int ns = 0; ns < NamespaceCount; ns++)
        {
            files.Add(($"{Folder(ns)}/Level.cs", $$"""
                namespace {{CSharpNamespace(ns)}};

                public enum Level { Low, Medium, High }
                """));
        }

        for (int i = 0; i < typeCount; i++)
        {
            files.Add(($"{Folder(i % NamespaceCount)}/{TypeName(i)}.cs", TypeSource(i)));
        }

        files.Add((UnrelatedPath, Unrelated(0)));
        return files;
    }

    /// <summary>The one file no annotated type depends on; edited by the warm-run benchmark.</summary>
    public const string UnrelatedPath = "Infrastructure/Clock.cs";

    /// <summary>Version <paramref name="edit"/> of the unrelated file: a method body changes, nothing else.</summary>
    public static string Unrelated(int edit) => $$"""
        namespace Synthetic.Infrastructure;

        public static class Clock
        {
            public static long Skew() => {{edit.ToString(CultureInfo.InvariantCulture)}};
        }
        """;

    private static string TypeSource(int i)
    {
        int ns = i % NamespaceCount;
        string name = TypeName(i);
        bool isRequest = i % 25 == 24;
        int style = isRequest ? 0 : (i % 10) switch { 3 or 7 => 1, 9 => 2, _ => 0 };

        var members = new List<(string Type, string Name, bool IsReference)>();
        int memberCount = 4 + (i % 7);
        for (int k = 0; k < memberCount; k++)
        {
            int kind = ((i * 7) + (k * 5)) % s_memberTypes.Length;
            string type = s_memberTypes[kind];
            if (type.Contains("{0}", StringComparison.Ordinal))
            {
                // Refer back to an earlier type (often in another namespace), so nesting never forms a cycle.
                type = i < NamespaceCount ? "string" : string.Format(CultureInfo.InvariantCulture, type, QualifiedName(i - 1 - (i % 19)));
            }

            string memberName = s_memberNames[(i + (k * 3)) % s_memberNames.Length] + k.ToString(CultureInfo.InvariantCulture);
            bool isReference = !type.EndsWith('?') && (type.StartsWith("string", StringComparison.Ordinal)
                || type.StartsWith("List", StringComparison.Ordinal) || type.StartsWith("Dictionary", StringComparison.Ordinal)
                || type.StartsWith("IReadOnly", StringComparison.Ordinal) || type.StartsWith("byte[]", StringComparison.Ordinal)
                || type.StartsWith("global::", StringComparison.Ordinal));
            members.Add((type, memberName, isReference));
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            using System;
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using Truffle;

            namespace {{CSharpNamespace(ns)}};

            /// <summary>Synthetic message {{i}}.</summary>
            [TruffleMessage("{{WireNamespace(ns)}}")]

            """);
        string reply = isRequest ? $" : IRequest<{QualifiedName(i - 1)}>" : string.Empty;
        switch (style)
        {
            case 0:
                text.Append(CultureInfo.InvariantCulture, $"public partial record {name}(");
                text.AppendJoin(", ", members.Select(m => $"{m.Type} {m.Name}"));
                text.Append(CultureInfo.InvariantCulture, $"){reply};\n");
                break;
            default:
                string keyword = style == 1 ? "sealed partial record" : "sealed partial class";
                string accessor = style == 1 ? "init" : "set";
                text.Append(CultureInfo.InvariantCulture, $"public {keyword} {name}\n{{\n");
                foreach ((string type, string memberName, bool isReference) in members)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    public {type} {memberName} {{ get; {accessor}; }}{(isReference ? " = default!;" : string.Empty)}\n");
                }

                text.Append("}\n");
                break;
        }

        return text.ToString();
    }

    private static string TypeName(int i) => "Message" + i.ToString("D4", CultureInfo.InvariantCulture);

    private static string Folder(int ns) => "Area" + ns.ToString("D2", CultureInfo.InvariantCulture);

    private static string CSharpNamespace(int ns) => "Synthetic." + Folder(ns);

    private static string WireNamespace(int ns) => "area-" + ns.ToString("D2", CultureInfo.InvariantCulture);

    private static string QualifiedName(int i) => $"global::{CSharpNamespace(i % NamespaceCount)}.{TypeName(i)}";
}
