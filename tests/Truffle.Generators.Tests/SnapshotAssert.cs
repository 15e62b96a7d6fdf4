using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// Compares generated sources with <c>Snapshots/&lt;Test&gt;/&lt;HintName&gt;.txt</c> beside the test file: first the
/// set of files, then each file's text. <c>UPDATE_SNAPSHOTS=1</c> accepts the current output (writing new and
/// changed files, deleting stale ones); in CI (<c>CI=true</c>) nothing is ever written.
/// </summary>
internal static class SnapshotAssert
{
    private const string Extension = ".txt";

    public static void Matches(GeneratorRun run, [CallerMemberName] string test = "", [CallerFilePath] string testFile = "")
    {
        Dictionary<string, string> actual = run.Generator.GeneratedSources
            .ToDictionary(s => s.HintName + Extension, s => Normalize(s.SourceText.ToString()), StringComparer.Ordinal);
        MatchesFiles(actual, test, testFile);
    }

    /// <summary>As <see cref="Matches"/>, for files other than generated sources (named with their extension, <c>.txt</c> added).</summary>
    public static void MatchesFiles(IReadOnlyDictionary<string, string> files, [CallerMemberName] string test = "", [CallerFilePath] string testFile = "")
    {
        Dictionary<string, string> actual = files.ToDictionary(f => f.Key.EndsWith(Extension, StringComparison.Ordinal) ? f.Key : f.Key + Extension, f => Normalize(f.Value), StringComparer.Ordinal);
        string folder = Path.Combine(TestSourceDirectory(testFile), "Snapshots", test);
        bool inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1" && !inCi)
        {
            Accept(folder, actual);
            return;
        }

        string[] expectedNames = Directory.Exists(folder)
            ? Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray()
            : [];
        string[] actualNames = actual.Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.True(
            expectedNames.SequenceEqual(actualNames, StringComparer.Ordinal),
            $"Generated files differ from {folder}\n  missing snapshot: {string.Join(", ", actualNames.Except(expectedNames))}\n"
            + $"  not generated: {string.Join(", ", expectedNames.Except(actualNames))}\nRun with UPDATE_SNAPSHOTS=1 to accept.");
        foreach (string name in actualNames)
        {
            string expected = Normalize(File.ReadAllText(Path.Combine(folder, name)));
            if (FirstDifference(expected, actual[name]) is { } difference)
            {
                Assert.Fail($"{test}/{name} differs from its snapshot {difference}\nRun with UPDATE_SNAPSHOTS=1 to accept.");
            }
        }
    }

    /// <summary>The first differing line with a line of context on each side, or null when equal.</summary>
    internal static string? FirstDifference(string expected, string actual)
    {
        string[] left = expected.Split('\n');
        string[] right = actual.Split('\n');
        for (int i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            string? l = i < left.Length ? left[i] : null;
            string? r = i < right.Length ? right[i] : null;
            if (l != r)
            {
                var diff = new StringBuilder().Append(CultureInfo.InvariantCulture, $"at line {i + 1}:\n");
                if (i > 0 && i - 1 < left.Length)
                {
                    diff.Append("   ").AppendLine(left[i - 1]);
                }

                diff.Append("-  ").AppendLine(l ?? "<end of file>").Append("+  ").AppendLine(r ?? "<end of file>");
                return diff.ToString();
            }
        }

        return null;
    }

    internal static string Normalize(string text) => text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);

    private static void Accept(string folder, Dictionary<string, string> actual)
    {
        Directory.CreateDirectory(folder);
        foreach (string stale in Directory.GetFiles(folder).Where(f => !actual.ContainsKey(Path.GetFileName(f))))
        {
            File.Delete(stale);
        }

        foreach ((string name, string text) in actual)
        {
            File.WriteAllText(Path.Combine(folder, name), text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
    }

    /// <summary>
    /// The folder of the calling test file. A CI build maps source paths to <c>/_/…</c>; then the repository-relative
    /// part is looked for above the test binaries.
    /// </summary>
    private static string TestSourceDirectory(string testFile)
    {
        string directory = Path.GetDirectoryName(testFile)!;
        if (Directory.Exists(directory) || !testFile.StartsWith("/_/", StringComparison.Ordinal))
        {
            return directory;
        }

        string relative = directory["/_/".Length..];
        for (DirectoryInfo? root = new(AppContext.BaseDirectory); root is not null; root = root.Parent)
        {
            string candidate = Path.Combine(root.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return directory;
    }
}
