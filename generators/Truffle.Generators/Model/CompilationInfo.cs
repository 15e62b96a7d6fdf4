using Truffle.Generators.Helpers;

namespace Truffle.Generators.Model;

/// <summary>The little the generator needs from the compilation itself, kept apart so it rarely changes.</summary>
/// <param name="AssemblyName">The assembly being compiled.</param>
/// <param name="SupportsExtensionMembers">True when the language version has extension properties (C# 14).</param>
internal sealed record CompilationInfo(string AssemblyName, bool SupportsExtensionMembers)
{
    /// <summary>
    /// The C# namespace of the assembly's resolver and namespace APIs: its own, so that the APIs of two assemblies
    /// never meet, even where one sees the other's internals.
    /// </summary>
    public string GeneratedNamespace => "Truffle.Generated." + Identifiers.Sanitize(AssemblyName);
}
