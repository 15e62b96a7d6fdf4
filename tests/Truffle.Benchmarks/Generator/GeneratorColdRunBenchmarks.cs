using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Truffle.Generators;

namespace Truffle.Benchmarks.Generator;

/// <summary>
/// SPEC §9: the generator over a 1,000-type project, cold (a new driver, nothing cached) and warm (the previous
/// driver, after an edit that touches no annotated type).
/// </summary>
/// <remarks>
/// Parsing is done once in GlobalSetup: a build parses the sources whether or not a generator runs. The process is
/// JIT-warm, as the compiler server is during a real build. Every run is checked once in GlobalSetup: no generator
/// diagnostic, and a generated project that compiles without errors.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class GeneratorColdRunBenchmarks
{
    private CSharpParseOptions _parseOptions = null!;
    private CSharpCompilationOptions _compilationOptions = null!;
    private ImmutableArray<MetadataReference> _references;
    private ImmutableArray<SyntaxTree> _trees;
    private CSharpCompilation _compilation = null!;

    // The warm benchmark flips the unrelated file between two versions, so every run follows a real edit.
    private GeneratorDriver _warmDriver = null!;
    private CSharpCompilation _warmCompilation = null!;
    private SyntaxTree[] _unrelatedVersions = [];
    private int _edits;

    [Params(1000)]
    public int Types { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        _compilationOptions = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable);
        _references =
        [
            .. Basic.Reference.Assemblies.Net100.References.All,
            MetadataReference.CreateFromFile(typeof(TruffleMessageAttribute).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(MessagePack.MessagePackWriter).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(MessagePack.KeyAttribute).Assembly.Location),
        ];
        _trees = [.. SyntheticProject.Files(Types).Select(f => CSharpSyntaxTree.ParseText(f.Text, _parseOptions, f.Path))];
        _compilation = NewCompilation();

        SyntaxTree unrelated = _trees.Single(t => t.FilePath == SyntheticProject.UnrelatedPath);
        _unrelatedVersions =
        [
            unrelated,
            CSharpSyntaxTree.ParseText(SyntheticProject.Unrelated(1), _parseOptions, SyntheticProject.UnrelatedPath),
        ];

        Verify();

        _warmDriver = NewDriver().RunGenerators(_compilation);
        _warmCompilation = _compilation;
        _edits = 0;
    }

    /// <summary>A new driver over a compilation whose symbols earlier runs have already bound.</summary>
    [Benchmark]
    public GeneratorDriver ColdRun_SharedCompilation() => NewDriver().RunGenerators(_compilation);

    /// <summary>A new driver over a new compilation of the same parsed trees: symbols are bound afresh, as in a build.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver ColdRun_FreshCompilation() => NewDriver().RunGenerators(NewCompilation());

    /// <summary>The previous run's driver after one unrelated file was edited: a new compilation, as after a keystroke.</summary>
    [Benchmark]
    public GeneratorDriver WarmRun_UnrelatedEdit()
    {
        _edits++;
        SyntaxTree next = _unrelatedVersions[_edits % 2];
        SyntaxTree previous = _unrelatedVersions[(_edits + 1) % 2];
        _warmCompilation = (CSharpCompilation)_warmCompilation.ReplaceSyntaxTree(previous, next);
        _warmDriver = _warmDriver.RunGenerators(_warmCompilation);
        return _warmDriver;
    }

    private CSharpCompilation NewCompilation() =>
        CSharpCompilation.Create("Synthetic", _trees, _references, _compilationOptions);

    private CSharpGeneratorDriver NewDriver(bool track = false) =>
        CSharpGeneratorDriver.Create(
            [new TruffleGenerator().AsSourceGenerator()],
            parseOptions: _parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    /// <summary>
    /// Fails unless the synthetic project is valid input, and logs what an unrelated edit left cached (the tests in
    /// Truffle.Generators.Tests assert that it is everything).
    /// </summary>
    private void Verify()
    {
        GeneratorDriver driver = NewDriver(track: true)
            .RunGeneratorsAndUpdateCompilation(NewCompilation(), out Compilation output, out _);
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        if (run.Exception is { } exception)
        {
            throw new InvalidOperationException("The generator threw.", exception);
        }

        Diagnostic[] problems =
        [
            .. run.Diagnostics,
            .. output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error),
        ];
        if (problems.Length > 0)
        {
            throw new InvalidOperationException(
                $"The synthetic project is not valid input ({problems.Length} problems):\n" +
                string.Join("\n", problems.Take(20)));
        }

        int sources = run.GeneratedSources.Length;
        long generatedChars = run.GeneratedSources.Sum(s => (long)s.SourceText.Length);

        Compilation edited = NewCompilation().ReplaceSyntaxTree(_unrelatedVersions[0], _unrelatedVersions[1]);
        GeneratorRunResult rerun = driver.RunGenerators(edited).GetRunResult().Results.Single();
        (IncrementalStepRunReason Reason, int Count)[] reasons =
        [
            .. rerun.TrackedOutputSteps
                .SelectMany(step => step.Value)
                .SelectMany(step => step.Outputs)
                .GroupBy(output => output.Reason)
                .Select(group => (group.Key, group.Count())),
        ];
        Console.WriteLine(
            $"// {Types} types: {sources} generated files, {generatedChars:N0} characters, no diagnostics, compiles.");
        Console.WriteLine(
            "// After an unrelated edit, generator outputs: " +
            string.Join(", ", reasons.Select(r => $"{r.Count} {r.Reason}")) + ".");
        Console.WriteLine(
            "// After an unrelated edit, named steps: " +
            string.Join("; ", rerun.TrackedSteps.OrderBy(step => step.Key, StringComparer.Ordinal).Select(step =>
                step.Key + " " + string.Join(", ", step.Value
                    .SelectMany(run => run.Outputs)
                    .GroupBy(output => output.Reason)
                    .Select(group => $"{group.Count()} {group.Key}")))) + ".");
    }
}
