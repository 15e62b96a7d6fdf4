using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>What one generator run produced.</summary>
/// <param name="Driver">The driver after the run; run it again on an edited compilation to test incrementality.</param>
/// <param name="Input">The compilation the generator saw.</param>
/// <param name="Output">The input plus every generated tree.</param>
internal sealed record GeneratorRun(GeneratorDriver Driver, Compilation Input, Compilation Output)
{
    public GeneratorDriverRunResult Result => Driver.GetRunResult();

    /// <summary>The single generator's result: its sources, diagnostics and tracked steps.</summary>
    public GeneratorRunResult Generator => Result.Results.Single();

    public ImmutableArray<Diagnostic> Diagnostics => Result.Diagnostics;

    /// <summary>The generated source with <paramref name="hintName"/>, or a failure listing the ones there are.</summary>
    public string Source(string hintName)
    {
        foreach (GeneratedSourceResult source in Generator.GeneratedSources)
        {
            if (source.HintName == hintName)
            {
                return source.SourceText.ToString();
            }
        }

        Assert.Fail($"No generated source '{hintName}'; generated: {string.Join(", ", Generator.GeneratedSources.Select(s => s.HintName))}");
        return string.Empty;
    }
}

/// <summary>
/// Runs <see cref="TruffleGenerator"/> over in-memory net10.0 compilations that reference the Truffle runtime and
/// MessagePack, with step tracking on.
/// </summary>
internal static class GeneratorHarness
{
    public const string AssemblyName = "Contoso.Chat";

    /// <summary>C# 14: the default, where the namespace APIs are extension properties.</summary>
    public const LanguageVersion Latest = LanguageVersion.CSharp14;

    /// <summary>Everything an input needs: the net10.0 reference assemblies, Truffle and MessagePack.</summary>
    public static ImmutableArray<MetadataReference> References { get; } =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(TruffleMessageAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(MessagePack.MessagePackWriter).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(MessagePack.KeyAttribute).Assembly.Location),
    ];

    // MSBuild passes /nowarn:1701,1702 to every C# build: assembly-unification notes about MessagePack's
    // references, not about the code.
    private static readonly Dictionary<string, ReportDiagnostic> s_msbuildNoWarn = new()
    {
        ["CS1701"] = ReportDiagnostic.Suppress,
        ["CS1702"] = ReportDiagnostic.Suppress,
    };

    /// <summary>Parse options with documentation comments checked, as in a project that generates an XML file.</summary>
    public static CSharpParseOptions ParseOptions(LanguageVersion version = Latest) =>
        new(version, DocumentationMode.Diagnose);

    /// <summary>A library compilation of <paramref name="sources"/> (files <c>Input0.cs</c>, <c>Input1.cs</c>, …) with nullable enabled.</summary>
    public static CSharpCompilation Compile(LanguageVersion version, params string[] sources) =>
        Compile(AssemblyName, version, [], sources);

    /// <summary>A library compilation named <paramref name="assemblyName"/> that also references <paramref name="extraReferences"/>.</summary>
    public static CSharpCompilation Compile(string assemblyName, LanguageVersion version, IEnumerable<MetadataReference> extraReferences, params string[] sources)
    {
        CSharpParseOptions options = ParseOptions(version);
        IEnumerable<SyntaxTree> trees = sources.Select((source, i) =>
            CSharpSyntaxTree.ParseText(source, options, path: $"Input{i}.cs"));
        return CSharpCompilation.Create(
            assemblyName,
            trees,
            References.Concat(extraReferences),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999)
                .WithSpecificDiagnosticOptions(s_msbuildNoWarn));
    }

    public static CSharpCompilation Compile(params string[] sources) => Compile(Latest, sources);

    /// <summary>A driver for a compilation whose parse options are <paramref name="options"/>, tracking every step.</summary>
    public static GeneratorDriver CreateDriver(CSharpParseOptions options) =>
        CSharpGeneratorDriver.Create(
            [new TruffleGenerator().AsSourceGenerator()],
            parseOptions: options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(Compilation compilation)
    {
        var options = (CSharpParseOptions)compilation.SyntaxTrees.First().Options;
        return Run(CreateDriver(options), compilation);
    }

    /// <summary>Runs <paramref name="driver"/> (new, or from an earlier run) over <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, Compilation compilation)
    {
        GeneratorDriver next = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return new GeneratorRun(next, compilation, output);
    }

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    public static GeneratorRun Run(LanguageVersion version, params string[] sources) => Run(Compile(version, sources));

    /// <summary>Emits the output of <paramref name="run"/> as an assembly another compilation can reference.</summary>
    public static MetadataReference EmitReference(GeneratorRun run) => MetadataReference.CreateFromImage(Emit(run.Output));

    /// <summary>The image of <paramref name="compilation"/>, or a failure listing why it does not emit.</summary>
    public static byte[] Emit(Compilation compilation)
    {
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(image);
        Assert.True(result.Success, "Emit failed:\n" + string.Join("\n", result.Diagnostics));
        return image.ToArray();
    }

    /// <summary>Fails unless the generator reported nothing.</summary>
    public static void AssertNoGeneratorDiagnostics(GeneratorRun run) =>
        Assert.True(run.Diagnostics.IsEmpty, "The generator reported:\n" + string.Join("\n", run.Diagnostics));

    /// <summary>
    /// Fails on any error in the output compilation, and on any warning outside the test's own input files: the
    /// generated code must build under warnings-as-errors at the highest warning level.
    /// </summary>
    public static void AssertCompilesCleanly(GeneratorRun run)
    {
        var inputs = run.Input.SyntaxTrees.ToHashSet();
        Diagnostic[] problems = run.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error
                || (d.Severity == DiagnosticSeverity.Warning && !(d.Location.SourceTree is { } tree && inputs.Contains(tree))))
            .ToArray();
        Assert.True(problems.Length == 0, "The output compilation has problems:\n" + string.Join("\n", problems.Select(Describe)));
    }

    /// <summary>
    /// Fails on any error or warning anywhere in the output compilation, the test's own code included (only a missing
    /// XML comment on an input's public member is let through): what a consumer's warnings-as-errors build would see
    /// where it uses the generated API.
    /// </summary>
    public static void AssertConsumerCompilesCleanly(GeneratorRun run)
    {
        AssertNoGeneratorDiagnostics(run);
        Diagnostic[] problems = run.Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1591")
            .ToArray();
        Assert.True(problems.Length == 0, "The consumer's compilation has problems:\n" + string.Join("\n", problems.Select(Describe)));
    }

    /// <summary>Asserts no generator diagnostic and a clean build of the output.</summary>
    public static void AssertValid(GeneratorRun run)
    {
        AssertNoGeneratorDiagnostics(run);
        AssertCompilesCleanly(run);
    }

    private static string Describe(Diagnostic diagnostic)
    {
        string line = diagnostic.ToString();
        if (diagnostic.Location.SourceTree is { } tree)
        {
            int number = diagnostic.Location.GetLineSpan().StartLinePosition.Line;
            line += "\n    " + tree.GetText().Lines[number].ToString().Trim();
        }

        return line;
    }
}
