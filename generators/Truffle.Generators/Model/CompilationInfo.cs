namespace Truffle.Generators.Model;

/// <summary>The little the generator needs from the compilation itself, kept apart so it rarely changes.</summary>
/// <param name="AssemblyName">The assembly being compiled.</param>
/// <param name="SupportsExtensionMembers">True when the language version has extension properties (C# 14).</param>
internal sealed record CompilationInfo(string AssemblyName, bool SupportsExtensionMembers);
