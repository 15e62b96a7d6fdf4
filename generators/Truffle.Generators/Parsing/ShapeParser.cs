using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Parsing;

/// <summary>Reduces a member type symbol to a <see cref="TypeShape"/>, or null when Truffle cannot serialize it.</summary>
internal sealed class ShapeParser(KnownTypeSymbols known)
{
    // The supported types that are neither special types nor annotated; the generic ones unbound.
    private static readonly (string MetadataName, ShapeKind Kind)[] s_supportedTypes =
    [
        ("System.DateTimeOffset", ShapeKind.DateTimeOffset),
        ("System.TimeSpan", ShapeKind.TimeSpan),
        ("System.Guid", ShapeKind.Guid),
        ("System.ReadOnlyMemory`1", ShapeKind.ReadOnlyMemoryOfByte),
        ("System.Memory`1", ShapeKind.MemoryOfByte),
        ("System.Collections.Generic.List`1", ShapeKind.List),
        ("System.Collections.Generic.IReadOnlyList`1", ShapeKind.ReadOnlyList),
        ("System.Collections.Immutable.ImmutableArray`1", ShapeKind.ImmutableArray),
        ("System.Collections.Generic.Dictionary`2", ShapeKind.Dictionary),
        ("System.Collections.Generic.IReadOnlyDictionary`2", ShapeKind.ReadOnlyDictionary),
    ];

    private static readonly SymbolDisplayFormat s_format = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public TypeShape? Parse(ITypeSymbol type)
    {
        bool isNullableReference = !type.IsValueType && type.NullableAnnotation == NullableAnnotation.Annotated;
        ITypeSymbol bare = type.IsValueType ? type : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        string typeName = type.ToDisplayString(s_format);
        string constructName = bare.ToDisplayString(s_format);

        TypeShape Make(ShapeKind kind, TypeShape? element = null, bool isLocal = false) =>
            new(kind, typeName, constructName, element, isNullableReference || kind == ShapeKind.Nullable, type.IsValueType, isLocal);

        if (FromSpecialType(type.SpecialType) is { } simple)
        {
            return Make(simple);
        }

        if (type is IArrayTypeSymbol array)
        {
            return array.Rank != 1 ? null
                : IsByte(array.ElementType) ? Make(ShapeKind.ByteArray)
                : Parse(array.ElementType) is { } item ? Make(ShapeKind.Array, item)
                : null;
        }

        if (type is not INamedTypeSymbol named)
        {
            return null;
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            return named.EnumUnderlyingType is { } underlying && Parse(underlying) is { } u ? Make(ShapeKind.Enum, u) with { EnumValues = EnumValuesOf(named) } : null;
        }

        if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            return Parse(named.TypeArguments[0]) is { } inner ? Make(ShapeKind.Nullable, inner) : null;
        }

        if (known.IsAnnotated(named))
        {
            bool isLocal = SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, known.Assembly);
            return isLocal || KnownTypeSymbols.FindInterface(named, known.Serializable) is not null ? Make(ShapeKind.Annotated, isLocal: isLocal) : null;
        }

        if (FromKnownType(named) is not { } kind)
        {
            return null;
        }

        ITypeSymbol last = named.TypeArguments.Length == 0 ? named : named.TypeArguments[named.TypeArguments.Length - 1];
        return kind switch
        {
            ShapeKind.ReadOnlyMemoryOfByte or ShapeKind.MemoryOfByte => IsByte(last) ? Make(kind) : null,
            ShapeKind.List or ShapeKind.ReadOnlyList or ShapeKind.ImmutableArray => Parse(last) is { } item ? Make(kind, item) : null,
            ShapeKind.Dictionary or ShapeKind.ReadOnlyDictionary =>
                named.TypeArguments[0].SpecialType == SpecialType.System_String && Parse(last) is { } value ? Make(kind, value) : null,
            _ => Make(kind),
        };
    }

    /// <summary>The kind of a supported type that is neither special nor annotated, by its generic definition.</summary>
    private ShapeKind? FromKnownType(INamedTypeSymbol type)
    {
        foreach ((string metadataName, ShapeKind kind) in s_supportedTypes)
        {
            if (KnownTypeSymbols.Is(type, known.Resolve(metadataName)))
            {
                return kind;
            }
        }

        return null;
    }

    private static EquatableArray<EnumValue> EnumValuesOf(INamedTypeSymbol type) =>
        type.GetMembers()
            .OfType<IFieldSymbol>()
            .Where(f => f.HasConstantValue)
            .Select(f => new EnumValue(f.Name, System.Convert.ToString(f.ConstantValue, CultureInfo.InvariantCulture)!))
            .ToEquatableArray();

    private static bool IsByte(ITypeSymbol type) => type.SpecialType == SpecialType.System_Byte;

    private static ShapeKind? FromSpecialType(SpecialType type) => type switch
    {
        SpecialType.System_Boolean => ShapeKind.Boolean,
        SpecialType.System_Byte => ShapeKind.Byte,
        SpecialType.System_SByte => ShapeKind.SByte,
        SpecialType.System_Int16 => ShapeKind.Int16,
        SpecialType.System_UInt16 => ShapeKind.UInt16,
        SpecialType.System_Int32 => ShapeKind.Int32,
        SpecialType.System_UInt32 => ShapeKind.UInt32,
        SpecialType.System_Int64 => ShapeKind.Int64,
        SpecialType.System_UInt64 => ShapeKind.UInt64,
        SpecialType.System_Single => ShapeKind.Single,
        SpecialType.System_Double => ShapeKind.Double,
        SpecialType.System_Decimal => ShapeKind.Decimal,
        SpecialType.System_Char => ShapeKind.Char,
        SpecialType.System_String => ShapeKind.String,
        SpecialType.System_DateTime => ShapeKind.DateTime,
        _ => null,
    };
}
