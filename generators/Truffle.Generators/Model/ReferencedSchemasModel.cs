using Truffle.Generators.Helpers;
using Truffle.Generators.Schema;

namespace Truffle.Generators.Model;

/// <summary>The namespace of the generated registration class and the referenced assemblies' schemas it registers.</summary>
internal sealed record ReferencedSchemasModel(string Namespace, EquatableArray<NamespaceSchema> Schemas);
