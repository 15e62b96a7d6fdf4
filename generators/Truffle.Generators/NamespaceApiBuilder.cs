using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;
using Truffle.Generators.Parsing;

namespace Truffle.Generators;

/// <summary>
/// Groups by wire namespace the messages this compilation declares and those its references declare, into the typed
/// APIs to emit: a namespace any of them uses gets its <c>bus.Name</c>, reaching all of them.
/// </summary>
internal static class NamespaceApiBuilder
{
    public static EquatableArray<NamespaceApiModel> Build(ImmutableArray<TypeModel> models, ReferencedContracts references, CompilationInfo compilation)
    {
        IEnumerable<(string Namespace, ApiMessage Message, string? Assembly)> local = models
            .Where(m => m.Message is not null)
            .Select(m => (m.Message!.WireNamespace, new ApiMessage(m.FullyQualifiedName, m.Message.WireType, m.Message.Reply, InLegacyApi: false), (string?)null));
        IEnumerable<(string Namespace, ApiMessage Message, string? Assembly)> referenced = references.Messages
            .Select(m => (m.WireNamespace, new ApiMessage(m.FullyQualifiedName, null, m.Reply, InLegacyApi: false), (string?)m.Assembly));

        return local.Concat(referenced)
            .GroupBy(m => m.Namespace, System.StringComparer.Ordinal)
            .OrderBy(g => g.Key, System.StringComparer.Ordinal)
            .Select(g =>
            {
                string? legacy = LegacyAssembly(references, g.Key);
                return new NamespaceApiModel(
                    g.Key,
                    WireNames.ToPascalCase(g.Key),
                    compilation.GeneratedNamespace,
                    compilation.SupportsExtensionMembers,
                    legacy,
                    g.Select(m => m.Message with { InLegacyApi = legacy is not null && m.Assembly == legacy })
                        .OrderBy(m => m.WireType is null ? 1 : 0)
                        .ThenBy(m => m.WireType, System.StringComparer.Ordinal)
                        .ThenBy(m => m.FullyQualifiedName, System.StringComparer.Ordinal)
                        .ToEquatableArray());
            })
            .ToEquatableArray();
    }

    /// <summary>
    /// The one referenced assembly whose 0.1.0 API declares <c>bus.Name</c> publicly. With two, their APIs already
    /// clash with each other and nothing this assembly generates could fix that, so it declares its own.
    /// </summary>
    private static string? LegacyAssembly(ReferencedContracts references, string wireNamespace)
    {
        string[] assemblies = references.LegacyApis
            .Where(a => a.WireNamespace == wireNamespace)
            .Select(a => a.Assembly)
            .ToArray();
        return assemblies.Length == 1 ? assemblies[0] : null;
    }
}
