using Truffle.Generators.Helpers;

namespace Truffle.Generators.Model;

/// <summary>
/// The assembly's resolver: the namespace it lives in, every annotated type it serves, and the wire namespaces it
/// registers with the runtime (their fingerprints and message types).
/// </summary>
internal sealed record ResolverModel(string Namespace, EquatableArray<string> Types, EquatableArray<Schema.NamespaceSchema> Schemas);
