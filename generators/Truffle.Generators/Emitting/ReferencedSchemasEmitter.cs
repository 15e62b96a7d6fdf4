using System.Linq;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Emits a module initializer that registers the wire schemas of the referenced assemblies, read from their
/// <c>[assembly: WireSchema(…)]</c> at compile time: a contracts library that nothing has touched when the node starts
/// is not loaded yet, so its own initializer has not run, and its namespaces would be missing from the hello. Plain
/// calls with literals, so nothing is looked up at run time (Native AOT clean). When the library loads and registers
/// itself, the same fingerprint is one entry, not two.
/// </summary>
internal static class ReferencedSchemasEmitter
{
    public const string HintName = "Truffle.ReferencedSchemas.g.cs";

    public static string Emit(ReferencedSchemasModel model) =>
        $$"""
        {{KnownNames.FileHeader}}
        #pragma warning disable CA2255 // Registering on load is the point: users never call it.

        namespace {{model.Namespace}};

        {{KnownNames.GeneratedCode}}
        internal static class TruffleReferencedSchemas
        {
            [global::System.Runtime.CompilerServices.ModuleInitializer]
            internal static void Register()
            {{{string.Concat(model.Schemas.Select(s =>
                $"\n        global::Truffle.Wire.WireSchemas.Register({CSharpNames.Literal(s.WireNamespace)}, {CSharpNames.Literal(s.Fingerprint)}{string.Concat(s.WireTypes.Select(t => ", " + CSharpNames.Literal(t)))});"))}}
            }
        }

        """;
}
