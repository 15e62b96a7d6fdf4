using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// Verifies generator diagnostics written inline in the input, as <c>{|TRF001:Outer|}</c>: the id and the exact
/// source text it must underline. Every diagnostic the generator reports must be marked, and every mark reported.
/// </summary>
internal static class DiagnosticMarkup
{
    private const string Open = "{|";
    private const string Close = "|}";

    /// <summary>Runs the generator over the marked-up <paramref name="sources"/> and compares what it reports.</summary>
    public static GeneratorRun Verify(params string[] sources) => Verify([], sources);

    /// <summary>As <see cref="Verify(string[])"/>, in a compilation that also references <paramref name="references"/>.</summary>
    public static GeneratorRun Verify(IEnumerable<MetadataReference> references, params string[] sources)
    {
        (GeneratorRun run, List<string> expected) = Run(references, sources);
        AssertSame(expected, run.Diagnostics);
        return run;
    }

    /// <summary>
    /// Runs the generator, then <paramref name="analyzer"/> over the code as the compiler sees it (the generated
    /// sources added), and compares what the analyzer reports with the marks; the generator must report nothing.
    /// </summary>
    public static async Task<ImmutableArray<Diagnostic>> VerifyAnalyzerAsync(DiagnosticAnalyzer analyzer, IEnumerable<MetadataReference> references, params string[] sources)
    {
        (GeneratorRun run, List<string> expected) = Run(references, sources);
        GeneratorHarness.AssertNoGeneratorDiagnostics(run);
        ImmutableArray<Diagnostic> reported = await run.Output.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync();
        AssertSame(expected, reported);
        return reported;
    }

    private static (GeneratorRun Run, List<string> Expected) Run(IEnumerable<MetadataReference> references, string[] sources)
    {
        var expected = new List<string>();
        var plain = new string[sources.Length];
        for (int i = 0; i < sources.Length; i++)
        {
            plain[i] = Strip(sources[i], $"Input{i}.cs", expected);
        }

        return (GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.AssemblyName, GeneratorHarness.Latest, references, plain)), expected);
    }

    private static void AssertSame(List<string> expected, ImmutableArray<Diagnostic> reported)
    {
        string[] actual = reported.Select(Describe).Order(StringComparer.Ordinal).ToArray();
        string[] wanted = expected.Order(StringComparer.Ordinal).ToArray();
        Assert.True(
            actual.SequenceEqual(wanted, StringComparer.Ordinal),
            $"Expected diagnostics:\n  {string.Join("\n  ", wanted)}\nActual:\n  {string.Join("\n  ", actual)}\nMessages:\n  "
            + string.Join("\n  ", reported.Select(d => d.GetMessage(CultureInfo.InvariantCulture))));
    }

    /// <summary>The single diagnostic with <paramref name="id"/>'s message.</summary>
    public static string Message(GeneratorRun run, string id) =>
        Assert.Single(run.Diagnostics, d => d.Id == id).GetMessage(CultureInfo.InvariantCulture);

    private static string Strip(string markup, string path, List<string> expected)
    {
        var source = new StringBuilder(markup.Length);
        int position = 0;
        while (markup.IndexOf(Open, position, StringComparison.Ordinal) is var start and >= 0)
        {
            int colon = markup.IndexOf(':', start);
            int end = markup.IndexOf(Close, colon, StringComparison.Ordinal);
            Assert.True(colon > start && end > colon, $"Bad markup at {start} in {path}");
            source.Append(markup, position, start - position);
            string id = markup[(start + Open.Length)..colon];
            string text = markup[(colon + 1)..end];
            expected.Add(Format(path, id, new TextSpan(source.Length, text.Length), text));
            source.Append(text);
            position = end + Close.Length;
        }

        return source.Append(markup, position, markup.Length - position).ToString();
    }

    private static string Describe(Diagnostic diagnostic)
    {
        Location location = diagnostic.Location;
        string text = location.SourceTree?.GetText().ToString(location.SourceSpan) ?? "<no source>";
        return Format(location.SourceTree?.FilePath ?? "<none>", diagnostic.Id, location.SourceSpan, text);
    }

    private static string Format(string path, string id, TextSpan span, string text) =>
        $"{id} {path}{span}: {text}";
}
