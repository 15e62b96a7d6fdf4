using System.Linq;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Emits the assembly's formatter resolver and the module initializer that registers it with
/// <c>TruffleSerializer</c>, so no user code is needed to make the assembly's types serializable.
/// </summary>
internal static class ResolverEmitter
{
    public const string HintName = "Truffle.GeneratedResolver.g.cs";

    /// <summary>The registration of each wire namespace's fingerprint and message types (docs/schema-evolution.md).</summary>
    private static string Schemas(ResolverModel model) =>
        string.Concat(model.Schemas.Select(s =>
            $"\n        global::Truffle.Wire.WireSchemas.Register({CSharpNames.Literal(s.WireNamespace)}, {CSharpNames.Literal(s.Fingerprint)}, {string.Join(", ", s.WireTypes.Select(CSharpNames.Literal))});"));

    /// <summary>The same, as metadata for the assemblies that reference this one (see <c>WireSchemaAttribute</c>).</summary>
    private static string SchemaAttributes(ResolverModel model) =>
        string.Concat(model.Schemas.Select(s =>
            $"\n[assembly: global::Truffle.Wire.WireSchema({CSharpNames.Literal(s.WireNamespace)}, {CSharpNames.Literal(s.Fingerprint)}, {string.Join(", ", s.WireTypes.Select(CSharpNames.Literal))})]"));

    public static string Emit(ResolverModel model)
    {
        var w = new SourceWriter();
        w.WriteLine($$"""
            {{KnownNames.FileHeader}}
            #pragma warning disable CA2255 // Registering on load is the point: users never call it.{{SchemaAttributes(model)}}

            namespace {{model.Namespace}};

            {{KnownNames.GeneratedCode}}
            internal sealed class TruffleGeneratedResolver : global::MessagePack.IFormatterResolver
            {
                public static readonly TruffleGeneratedResolver Instance = new();

                public {{KnownNames.FormatterInterface}}<T>? GetFormatter<T>() => Cache<T>.Formatter;

                [global::System.Runtime.CompilerServices.ModuleInitializer]
                internal static void Register()
                {
                    global::Truffle.TruffleSerializer.RegisterGeneratedResolver(Instance);{{Schemas(model)}}
                }

                private static object? Create(global::System.Type type)
                {
            """);
        w.Indentation += 2;
        foreach (string type in model.Types)
        {
            w.WriteLine($$"""
                if (type == typeof({{type}}))
                {
                    return {{type}}.{{KnownNames.FormatterClass}}.Instance;
                }

                """);
        }

        w.Indentation -= 2;
        w.WriteLine($$"""
                    return null;
                }

                private static class Cache<T>
                {
                    public static readonly {{KnownNames.FormatterInterface}}<T>? Formatter = ({{KnownNames.FormatterInterface}}<T>?)Create(typeof(T));
                }
            }
            """);
        return w.ToString();
    }
}
