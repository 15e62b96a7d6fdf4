using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Truffle.Generators.Parsing;

/// <summary>
/// The types the parser recognizes, resolved once per compilation on first use and compared as symbols, so a
/// user's own type named like one of them (<c>MyApp.IRequest&lt;T&gt;</c>) is never mistaken for it.
/// </summary>
internal sealed class KnownTypeSymbols(Compilation compilation)
{
    public const string MessageAttributeName = "Truffle.TruffleMessageAttribute";
    public const string SliceAttributeName = "Truffle.SyncedSliceAttribute";

    // Concurrent: the analyzer shares one instance among its concurrent actions. A lookup done twice finds the same type.
    private readonly ConcurrentDictionary<string, INamedTypeSymbol?> _resolved = new(System.StringComparer.Ordinal);

    public Compilation Compilation { get; } = compilation;

    public IAssemblySymbol Assembly => Compilation.Assembly;

    // Truffle's own types; generic ones unbound (IRequest`1 is IRequest<TReply>).
    public INamedTypeSymbol? MessageAttribute => Resolve(MessageAttributeName);
    public INamedTypeSymbol? SliceAttribute => Resolve(SliceAttributeName);
    public INamedTypeSymbol? IgnoreAttribute => Resolve("Truffle.TruffleIgnoreAttribute");
    public INamedTypeSymbol? NameAttribute => Resolve("Truffle.TruffleNameAttribute");
    public INamedTypeSymbol? Request => Resolve("Truffle.IRequest`1");
    public INamedTypeSymbol? Serializable => Resolve("Truffle.ITruffleSerializable`1");
    public INamedTypeSymbol? Message => Resolve("Truffle.ITruffleMessage`1");
    public INamedTypeSymbol? Slice => Resolve("Truffle.ISyncedSlice`1");
    public INamedTypeSymbol? MessageBus => Resolve("Truffle.IMessageBus");
    public INamedTypeSymbol? WireSchemaAttribute => Resolve("Truffle.Wire.WireSchemaAttribute");
    public INamedTypeSymbol? GeneratedCodeAttribute => Resolve("System.CodeDom.Compiler.GeneratedCodeAttribute");

    /// <summary>The type named <paramref name="metadataName"/> that this compilation sees, looked up once.</summary>
    public INamedTypeSymbol? Resolve(string metadataName) =>
        _resolved.GetOrAdd(metadataName, name => Compilation.GetTypeByMetadataName(name) ?? FirstAccessible(name));

    /// <summary>True when <paramref name="type"/> is <paramref name="known"/> or a construction of it.</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        known is not null && type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    /// <summary>The application of <paramref name="attribute"/> on <paramref name="symbol"/>, or null.</summary>
    public static AttributeData? FindAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return null;
        }

        foreach (AttributeData data in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return data;
            }
        }

        return null;
    }

    /// <summary>The construction of <paramref name="definition"/> that <paramref name="type"/> implements, or null.</summary>
    public static INamedTypeSymbol? FindInterface(ITypeSymbol type, INamedTypeSymbol? definition)
    {
        foreach (INamedTypeSymbol candidate in type.AllInterfaces)
        {
            if (Is(candidate, definition))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>True for a <c>[TruffleMessage]</c> or <c>[SyncedSlice]</c> type.</summary>
    public bool IsAnnotated(ITypeSymbol type) =>
        FindAttribute(type, MessageAttribute) is not null || FindAttribute(type, SliceAttribute) is not null;

    /// <summary>
    /// The wire namespace of a namespace API type the generator wrote (its <c>WireNamespace</c> constant), in this
    /// version or in 0.1.0; null for any other type.
    /// </summary>
    public string? WireNamespaceOfApi(ITypeSymbol? type)
    {
        if (type is null
            || FindAttribute(type, GeneratedCodeAttribute) is not { } generatedCode
            || generatedCode.ConstructorArguments.FirstOrDefault().Value as string != "Truffle.Generators")
        {
            return null;
        }

        foreach (ISymbol member in type.GetMembers("WireNamespace"))
        {
            if (member is IFieldSymbol { IsConst: true, ConstantValue: string ns })
            {
                return ns;
            }
        }

        return null;
    }

    // GetTypeByMetadataName gives up when several references define the name (a facade and its implementation);
    // the one this compilation can use is the one its code means.
    private INamedTypeSymbol? FirstAccessible(string metadataName)
    {
        foreach (INamedTypeSymbol candidate in Compilation.GetTypesByMetadataName(metadataName))
        {
            if (Compilation.IsSymbolAccessibleWithin(candidate, Compilation.Assembly))
            {
                return candidate;
            }
        }

        return null;
    }
}
