using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;
using Truffle.Generators.Schema;

namespace Truffle.Generators.Parsing;

/// <summary>
/// Reads from the referenced assemblies' metadata what a wire namespace spread over several assemblies needs: their
/// generated messages (for <c>bus.Chat</c>), the wire names their annotated types claim (for TRF004), and the public
/// namespace APIs an assembly built with Truffle.Generators 0.1.0 declares.
/// </summary>
/// <remarks>
/// Only assemblies that reference the Truffle runtime can declare annotated types, so the others (the framework, most
/// packages) are passed over after one look at their reference list.
/// </remarks>
internal static class ReferenceScanner
{
    public static ReferencedContracts Scan(KnownTypeSymbols known, CancellationToken cancellationToken)
    {
        if (known.MessageAttribute?.ContainingAssembly is not { } runtime)
        {
            return ReferencedContracts.None;
        }

        var shapes = new ShapeParser(known);
        var messages = new List<ReferencedMessage>();
        var claims = new List<WireClaim>();
        var legacyApis = new List<LegacyApi>();
        var schemas = new List<NamespaceSchema>();
        foreach (IAssemblySymbol assembly in known.Compilation.SourceModule.ReferencedAssemblySymbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!References(assembly, runtime))
            {
                continue;
            }

            schemas.AddRange(SchemasOf(assembly, known));

            foreach (INamedTypeSymbol type in TypesOf(assembly.GlobalNamespace))
            {
                if (LegacyApiOf(type, known) is { } ns)
                {
                    legacyApis.Add(new LegacyApi(ns, assembly.Identity.Name));
                }

                ReadAnnotated(type, assembly, known, shapes, messages, claims);
            }
        }

        return new ReferencedContracts(
            messages.OrderBy(m => m.WireNamespace, System.StringComparer.Ordinal).ThenBy(m => m.FullyQualifiedName, System.StringComparer.Ordinal).ToEquatableArray(),
            claims.OrderBy(c => c.Key, System.StringComparer.Ordinal).ThenBy(c => c.Owner, System.StringComparer.Ordinal).ToEquatableArray(),
            legacyApis.OrderBy(a => a.WireNamespace, System.StringComparer.Ordinal).ThenBy(a => a.Assembly, System.StringComparer.Ordinal).ToEquatableArray(),
            schemas.Distinct().OrderBy(s => s.WireNamespace, System.StringComparer.Ordinal).ThenBy(s => s.Fingerprint, System.StringComparer.Ordinal).ToEquatableArray());
    }

    /// <summary>
    /// The <c>[assembly: WireSchema(…)]</c> attributes the generator put on a referenced assembly: its namespaces'
    /// fingerprints and message types, read from metadata so that this assembly can register them at start.
    /// </summary>
    private static IEnumerable<NamespaceSchema> SchemasOf(IAssemblySymbol assembly, KnownTypeSymbols known)
    {
        INamedTypeSymbol? attribute = known.WireSchemaAttribute;
        if (attribute is null)
        {
            yield break;
        }

        foreach (AttributeData data in assembly.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute)
                && data.ConstructorArguments is [{ Value: string ns }, { Value: string fingerprint }, { Kind: TypedConstantKind.Array } types])
            {
                yield return new NamespaceSchema(ns, fingerprint, types.Values.Select(t => t.Value as string).OfType<string>().ToEquatableArray());
            }
        }
    }

    /// <summary>
    /// Records the wire names of a type the generator built (it implements the Truffle interfaces), whether or not
    /// this compilation can name it: two assemblies' messages meet on the wire either way. Only the ones it can name
    /// join the namespace API.
    /// </summary>
    private static void ReadAnnotated(INamedTypeSymbol type, IAssemblySymbol assembly, KnownTypeSymbols known, ShapeParser shapes, List<ReferencedMessage> messages, List<WireClaim> claims)
    {
        AttributeData? slice = KnownTypeSymbols.FindAttribute(type, known.SliceAttribute);
        AttributeData? message = KnownTypeSymbols.FindAttribute(type, known.MessageAttribute);
        if (slice is null && message is null)
        {
            return;
        }

        string owner = $"'{type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' of assembly {assembly.Identity.Name}";
        if (slice is not null && KnownTypeSymbols.FindInterface(type, known.Slice) is not null && WireAttributes.Name(slice) is { } storeId)
        {
            claims.Add(new WireClaim(WireNames.StoreKey(storeId), owner));
        }

        if (message is null || KnownTypeSymbols.FindInterface(type, known.Message) is null || WireAttributes.Name(message) is not { } ns)
        {
            return;
        }

        claims.Add(new WireClaim(WireNames.MessageKey(ns, WireNames.MessageType(WireAttributes.ExplicitType(message), type.Name)), owner));
        if (known.Compilation.IsSymbolAccessibleWithin(type, known.Assembly))
        {
            TypeShape? reply = KnownTypeSymbols.FindInterface(type, known.Request) is { } request ? shapes.Parse(request.TypeArguments[0]) : null;
            messages.Add(new ReferencedMessage(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), ns, reply, assembly.Identity.Name));
        }
    }

    /// <summary>
    /// The wire namespace of a <c>Truffle.&lt;Name&gt;Bus</c> struct generated by Truffle.Generators 0.1.0 that this
    /// compilation can see (that version declared it public, or internal when a message was); null for any other type.
    /// </summary>
    private static string? LegacyApiOf(INamedTypeSymbol type, KnownTypeSymbols known) =>
        type is { TypeKind: TypeKind.Struct, ContainingType: null }
            && known.Compilation.IsSymbolAccessibleWithin(type, known.Assembly)
            && type.ContainingNamespace is { Name: "Truffle", ContainingNamespace.IsGlobalNamespace: true }
            && known.WireNamespaceOfApi(type) is { } ns
            && type.Name == WireNames.ApiTypeName(ns)
                ? ns
                : null;

    private static bool References(IAssemblySymbol assembly, IAssemblySymbol runtime)
    {
        foreach (IModuleSymbol module in assembly.Modules)
        {
            foreach (AssemblyIdentity identity in module.ReferencedAssemblies)
            {
                if (identity.Name == runtime.Identity.Name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IEnumerable<INamedTypeSymbol> TypesOf(INamespaceSymbol ns)
    {
        foreach (INamespaceSymbol child in ns.GetNamespaceMembers())
        {
            foreach (INamedTypeSymbol type in TypesOf(child))
            {
                yield return type;
            }
        }

        foreach (INamedTypeSymbol type in ns.GetTypeMembers())
        {
            foreach (INamedTypeSymbol each in WithNestedTypes(type))
            {
                yield return each;
            }
        }
    }

    private static IEnumerable<INamedTypeSymbol> WithNestedTypes(INamedTypeSymbol type)
    {
        yield return type;
        foreach (INamedTypeSymbol nested in type.GetTypeMembers())
        {
            foreach (INamedTypeSymbol each in WithNestedTypes(nested))
            {
                yield return each;
            }
        }
    }
}
