using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>An assembly built in memory: the generator run that built it (none for a fixture) and its image.</summary>
internal sealed record BuiltAssembly(GeneratorRun? Run, byte[] Image)
{
    /// <summary>A reference to the image; one instance, so that a driver sees the same reference on every run.</summary>
    public MetadataReference Reference { get; } = MetadataReference.CreateFromImage(Image);
}

/// <summary>
/// Builds the assemblies of a multi-project solution in memory, each referencing the images of those before it, and
/// loads them to run, as a contracts library and the apps that use it would be built and run.
/// </summary>
internal static class Assemblies
{
    private static readonly string s_legacyFixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Generator-0.1.0");

    /// <summary>Builds <paramref name="sources"/> with the generator; fails unless a consumer's build would be clean.</summary>
    public static BuiltAssembly Build(string assemblyName, IEnumerable<BuiltAssembly> references, params string[] sources) =>
        Build(assemblyName, GeneratorHarness.Latest, references, sources);

    public static BuiltAssembly Build(string assemblyName, LanguageVersion version, IEnumerable<BuiltAssembly> references, params string[] sources)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(assemblyName, version, references.Select(r => r.Reference), sources));
        GeneratorHarness.AssertConsumerCompilesCleanly(run);
        return new BuiltAssembly(run, GeneratorHarness.Emit(run.Output));
    }

    /// <summary>
    /// <c>Contoso.Legacy</c> as Truffle.Generators 0.1.0 built it: its source and that version's output (see the
    /// fixture's README), compiled without the current generator; <paramref name="edit"/> makes another library of
    /// it (each source is passed through it, the assembly name too).
    /// </summary>
    public static BuiltAssembly Legacy(LanguageVersion version, Func<string, string>? edit = null)
    {
        edit ??= text => text;
        string otherApi = version >= LanguageVersion.CSharp14 ? ".CSharp12." : ".CSharp14.";
        string[] sources = Directory.GetFiles(s_legacyFixture, "*.cs.txt")
            .Where(path => !Path.GetFileName(path).Contains(otherApi, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => edit(File.ReadAllText(path)))
            .ToArray();
        Assert.Equal(6, sources.Length);
        return new BuiltAssembly(null, GeneratorHarness.Emit(GeneratorHarness.Compile(edit("Contoso.Legacy"), version, [], sources)));
    }

    /// <summary>Loads <paramref name="assemblies"/> (dependencies first) into a context of their own and returns the last.</summary>
    public static Assembly Load(params BuiltAssembly[] assemblies)
    {
        var context = new ImageLoadContext();
        Assembly? last = null;
        foreach (BuiltAssembly assembly in assemblies)
        {
            last = context.Add(assembly.Image);
        }

        return last!;
    }

    /// <summary>
    /// Holds the in-memory assemblies; everything else (Truffle, MessagePack, the framework) resolves from the
    /// default context, so the types the test passes in are the ones the loaded code expects.
    /// </summary>
    private sealed class ImageLoadContext() : AssemblyLoadContext(isCollectible: false)
    {
        private readonly Dictionary<string, Assembly> _loaded = new(StringComparer.Ordinal);

        public Assembly Add(byte[] image)
        {
            using var stream = new MemoryStream(image);
            Assembly assembly = LoadFromStream(stream);
            _loaded[assembly.GetName().Name!] = assembly;
            return assembly;
        }

        protected override Assembly? Load(AssemblyName assemblyName) => _loaded.GetValueOrDefault(assemblyName.Name!);
    }
}
