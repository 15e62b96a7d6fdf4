using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Truffle.Wire;
using Xunit;

namespace Truffle.Generators.Tests.Evolution;

/// <summary>
/// A contracts library that nothing has touched when the node starts is not loaded, so its own module initializer has
/// not run: the app registers the library's wire schemas from its own, read from the library's
/// <c>[assembly: WireSchema(…)]</c> at compile time, so the namespace is in the hello from the start.
/// </summary>
public sealed partial class ReferencedSchemasTests
{
    // A namespace no other test declares: WireSchemas is one registry per process.
    private const string Library = """
        using Truffle;

        namespace Contoso.Untouched;

        [TruffleMessage("untouched")]
        public partial record Pin(string Text);

        [TruffleMessage("untouched")]
        public partial record Unpin(string Text);
        """;

    private const string App = """
        namespace Contoso.UntouchedApp;

        public static class Nothing
        {
            public static int Answer() => 42;
        }
        """;

    [Fact]
    public void The_library_declares_its_schemas_as_assembly_attributes_and_the_app_registers_them_with_the_same_fingerprint()
    {
        BuiltAssembly library = Assemblies.Build("Contoso.Untouched", [], Library);
        BuiltAssembly app = Assemblies.Build("Contoso.UntouchedApp", [library], App);

        string fingerprint = LibraryRegistration().Match(library.Run!.Source("Truffle.GeneratedResolver.g.cs")).Groups[1].Value;
        Assert.Matches("^[0-9a-f]{8}$", fingerprint);
        Assert.Contains($"[assembly: global::Truffle.Wire.WireSchema(\"untouched\", \"{fingerprint}\", \"pin\", \"unpin\")]", library.Run.Source("Truffle.GeneratedResolver.g.cs"), StringComparison.Ordinal);
        Assert.Contains(
            $"global::Truffle.Wire.WireSchemas.Register(\"untouched\", \"{fingerprint}\", \"pin\", \"unpin\");",
            app.Run!.Source("Truffle.ReferencedSchemas.g.cs"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Running_the_apps_module_initializer_registers_the_librarys_namespace_without_loading_the_library()
    {
        BuiltAssembly library = Assemblies.Build("Contoso.Untouched", [], Library);
        BuiltAssembly app = Assemblies.Build("Contoso.UntouchedApp", [library], App);
        string fingerprint = LibraryRegistration().Match(library.Run!.Source("Truffle.GeneratedResolver.g.cs")).Groups[1].Value;
        Assert.DoesNotContain("untouched", WireSchemas.Fingerprints.Keys);

        Assembly loaded = Assemblies.Load(app);
        RuntimeHelpers.RunModuleConstructor(loaded.ManifestModule.ModuleHandle);

        Assert.Equal(fingerprint, WireSchemas.Fingerprints["untouched"]);
        Assert.True(WireSchemas.Knows("untouched", "unpin"));
        Assert.DoesNotContain(AssemblyLoadContext.All.SelectMany(c => c.Assemblies), a => a.GetName().Name == "Contoso.Untouched");
    }

    [Fact]
    public void An_unrelated_edit_of_the_app_regenerates_no_registration()
    {
        BuiltAssembly library = Assemblies.Build("Contoso.Untouched", [], Library);
        Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = GeneratorHarness.Compile("Contoso.UntouchedApp", GeneratorHarness.Latest, [library.Reference], App);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            "namespace Contoso.UntouchedApp; internal static class Unrelated { }", GeneratorHarness.ParseOptions(), path: "Unrelated.cs")));

        Assert.Contains("Truffle.ReferencedSchemas.g.cs", first.Generator.GeneratedSources.Select(s => s.HintName));
        Assert.All(
            second.Generator.TrackedSteps[TrackingNames.ReferencedSchemas].SelectMany(s => s.Outputs).Select(o => o.Reason),
            reason => Assert.True(reason is Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached or Microsoft.CodeAnalysis.IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(
            second.Generator.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason),
            reason => Assert.True(reason is Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached or Microsoft.CodeAnalysis.IncrementalStepRunReason.Unchanged, reason.ToString()));
    }

    [GeneratedRegex("""WireSchemas.Register\("untouched", "([0-9a-f]{8})", "pin", "unpin"\);""")]
    private static partial Regex LibraryRegistration();
}
