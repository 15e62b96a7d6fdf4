using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Truffle.Generators.Tests;

/// <summary>
/// Runs the generator as a build does around <c>truffle.schema.json</c>: the lock as an additional file, and the
/// <c>TruffleUpdateSchema</c> build property as MSBuild hands it to the compiler.
/// </summary>
internal static class SchemaHarness
{
    public const string LockPath = "/src/App/truffle.schema.json";

    /// <summary>A driver that sees <paramref name="lockText"/> (none when null) and, with <paramref name="update"/>, TruffleUpdateSchema=true.</summary>
    public static GeneratorDriver CreateDriver(string? lockText, bool update = false) =>
        CSharpGeneratorDriver.Create(
            [new TruffleGenerator().AsSourceGenerator()],
            lockText is null ? [] : [new InMemoryText(LockPath, lockText)],
            GeneratorHarness.ParseOptions(),
            new BuildProperties(update ? new Dictionary<string, string> { ["build_property.TruffleUpdateSchema"] = "true" } : []),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(string? lockText, bool update, params string[] sources) =>
        GeneratorHarness.Run(CreateDriver(lockText, update), GeneratorHarness.Compile(sources));

    /// <summary>The lock a build with <c>-p:TruffleUpdateSchema=true</c> writes for <paramref name="sources"/>, as the MSBuild target extracts it.</summary>
    public static string WriteLock(params string[] sources)
    {
        GeneratorRun run = Run(null, update: true, sources);
        GeneratorHarness.AssertValid(run);
        return Extract(run.Source("Truffle.Schema.g.cs"));
    }

    /// <summary>What the MSBuild target copies: from the first '{' after the marker to the last '}', and a line end.</summary>
    public static string Extract(string generated)
    {
        int marker = generated.IndexOf("#if TRUFFLE_SCHEMA_JSON", StringComparison.Ordinal);
        int start = generated.IndexOf('{', marker);
        int end = generated.LastIndexOf('}');
        return generated[start..(end + 1)] + "\n";
    }

    /// <summary>A lock file with a replacement applied (a lock recorded before a change).</summary>
    public static GeneratorRun RunAgainst(string lockText, params string[] sources) => Run(lockText, update: false, sources);

    public static ImmutableArray<Diagnostic> LockDiagnostics(GeneratorRun run) =>
        [.. run.Diagnostics.Where(d => d.Id is "TRF010" or "TRF011" or "TRF012" or "TRF013" or "TRF014" or "TRF015")];

    internal sealed class InMemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class BuildProperties(Dictionary<string, string> global) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public static Options Empty { get; } = new([]);

            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
