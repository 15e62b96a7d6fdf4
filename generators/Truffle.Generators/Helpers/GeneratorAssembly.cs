using System.Reflection;

namespace Truffle.Generators.Helpers;

/// <summary>The generator's own assembly name and version, as generated code records them.</summary>
internal static class GeneratorAssembly
{
    private static readonly Assembly s_assembly = typeof(GeneratorAssembly).Assembly;

    public static string Name { get; } = s_assembly.GetName().Name!;

    /// <summary>
    /// The package version (the informational version without its <c>+commit</c> build metadata, so the output does
    /// not change with every commit); the assembly version when there is none.
    /// </summary>
    public static string Version { get; } = PackageVersion();

    private static string PackageVersion()
    {
        string? informational = s_assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational))
        {
            return s_assembly.GetName().Version?.ToString() ?? "0.0.0";
        }

        int metadata = informational!.IndexOf('+');
        return metadata < 0 ? informational : informational.Substring(0, metadata);
    }
}
