using Microsoft.CodeAnalysis;
using Truffle.Generators.Model;

namespace Truffle.Generators.Parsing;

/// <summary>Reduces a member type symbol to a <see cref="TypeShape"/>, or null when Truffle cannot serialize it.</summary>
internal static class ShapeParser
{
    public const string MessageAttribute = "Truffle.TruffleMessageAttribute";
    public const string SliceAttribute = "Truffle.SyncedSliceAttribute";

    private static readonly SymbolDisplayFormat s_format = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static TypeShape? Parse(ITypeSymbol type, IAssemblySymbol currentAssembly)
    {
        bool isNullableReference = !type.IsValueType && type.NullableAnnotation == NullableAnnotation.Annotated;
        ITypeSymbol bare = type.IsValueType ? type : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        string typeName = type.ToDisplayString(s_format);
        string constructName = bare.ToDisplayString(s_format);

        TypeShape Make(ShapeKind kind, TypeShape? element = null, bool isLocal = false) =>
            new(kind, typeName, constructName, element, isNullableReference || kind == ShapeKind.Nullable, type.IsValueType, isLocal);

        ShapeKind? special = FromSpecialType(type.SpecialType);
        if (special is { } simple)
        {
            return Make(simple);
        }

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                return null;
            }

            if (array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                return Make(ShapeKind.ByteArray);
            }

            return Parse(array.ElementType, currentAssembly) is { } item ? Make(ShapeKind.Array, item) : null;
        }

        if (type is not INamedTypeSymbol named)
        {
            return null;
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            return named.EnumUnderlyingType is { } underlying && Parse(underlying, currentAssembly) is { } u ? Make(ShapeKind.Enum, u) : null;
        }

        if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            return Parse(named.TypeArguments[0], currentAssembly) is { } inner ? Make(ShapeKind.Nullable, inner) : null;
        }

        if (IsAnnotated(named))
        {
            bool isLocal = SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, currentAssembly);
            return isLocal || ImplementsSerializable(named) ? Make(ShapeKind.Annotated, isLocal: isLocal) : null;
        }

        string ns = named.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        switch (ns, named.MetadataName)
        {
            case ("System", "DateTimeOffset"):
                return Make(ShapeKind.DateTimeOffset);
            case ("System", "TimeSpan"):
                return Make(ShapeKind.TimeSpan);
            case ("System", "Guid"):
                return Make(ShapeKind.Guid);
            case ("System", "ReadOnlyMemory`1") when IsByte(named.TypeArguments[0]):
                return Make(ShapeKind.ReadOnlyMemoryOfByte);
            case ("System", "Memory`1") when IsByte(named.TypeArguments[0]):
                return Make(ShapeKind.MemoryOfByte);
            case ("System.Collections.Generic", "List`1"):
                return Sequence(ShapeKind.List);
            case ("System.Collections.Generic", "IReadOnlyList`1"):
                return Sequence(ShapeKind.ReadOnlyList);
            case ("System.Collections.Immutable", "ImmutableArray`1"):
                return Sequence(ShapeKind.ImmutableArray);
            case ("System.Collections.Generic", "Dictionary`2"):
                return Map(ShapeKind.Dictionary);
            case ("System.Collections.Generic", "IReadOnlyDictionary`2"):
                return Map(ShapeKind.ReadOnlyDictionary);
            default:
                return null;
        }

        TypeShape? Sequence(ShapeKind kind) =>
            Parse(named.TypeArguments[0], currentAssembly) is { } item ? Make(kind, item) : null;

        TypeShape? Map(ShapeKind kind) =>
            named.TypeArguments[0].SpecialType == SpecialType.System_String && Parse(named.TypeArguments[1], currentAssembly) is { } value
                ? Make(kind, value)
                : null;
    }

    public static bool IsAnnotated(INamedTypeSymbol type)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name is MessageAttribute or SliceAttribute)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ImplementsSerializable(INamedTypeSymbol type)
    {
        foreach (INamedTypeSymbol candidate in type.AllInterfaces)
        {
            if (candidate.MetadataName == "ITruffleSerializable`1" && candidate.ContainingNamespace?.ToDisplayString() == "Truffle")
            {
                return true;
            }
        }

        return false;
    }

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
