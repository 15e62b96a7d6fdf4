using Truffle.Generators.Helpers;

namespace Truffle.Generators.Model;

/// <summary>The assembly's resolver: the namespace it lives in and every annotated type it serves.</summary>
internal sealed record ResolverModel(string Namespace, EquatableArray<string> Types);
