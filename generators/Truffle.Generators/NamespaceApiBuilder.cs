using System.Collections.Immutable;
using System.Linq;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;
using Truffle.Generators.Parsing;

namespace Truffle.Generators;

/// <summary>Groups message models by wire namespace into the typed APIs to emit.</summary>
internal static class NamespaceApiBuilder
{
    public static EquatableArray<NamespaceApiModel> Build(ImmutableArray<TypeModel> models, CompilationInfo compilation) =>
        models
            .Where(m => m.Message is not null)
            .GroupBy(m => m.Message!.WireNamespace, System.StringComparer.Ordinal)
            .OrderBy(g => g.Key, System.StringComparer.Ordinal)
            .Select(g => new NamespaceApiModel(
                g.Key,
                WireNames.ToPascalCase(g.Key),
                g.All(m => m.IsPublic && m.Message!.ReplyIsPublic),
                compilation.SupportsExtensionMembers,
                g.OrderBy(m => m.Message!.WireType, System.StringComparer.Ordinal)
                    .ThenBy(m => m.FullyQualifiedName, System.StringComparer.Ordinal)
                    .Select(m => new ApiMessage(m.FullyQualifiedName, m.Name, m.Message!.WireType, m.Message.Reply))
                    .ToEquatableArray()))
            .ToEquatableArray();
}
