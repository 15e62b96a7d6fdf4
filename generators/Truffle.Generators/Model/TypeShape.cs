using Truffle.Generators.Helpers;

namespace Truffle.Generators.Model;

/// <summary>
/// A member type reduced to what the emitter needs. Equatable by value; holds no symbols.
/// </summary>
/// <param name="Kind">How it is written on the wire.</param>
/// <param name="TypeName">The <c>global::</c>-qualified name, with nullable annotations, for declarations.</param>
/// <param name="ConstructName">The name without a top-level <c>?</c>, for <c>new</c> and <c>typeof</c>.</param>
/// <param name="Element">The item (collections, dictionary values), inner (nullable) or underlying (enum) shape.</param>
/// <param name="IsNullable">True when null is a legal value (an annotated reference type or a nullable value type).</param>
/// <param name="IsValueType">True for structs, enums and primitives.</param>
/// <param name="IsLocal">For annotated types: declared in the compilation being generated, so its formatter can be called directly.</param>
/// <param name="EnumValues">For an enum: its values, which the schema lock records (they are what its numbers mean).</param>
internal sealed record TypeShape(
    ShapeKind Kind,
    string TypeName,
    string ConstructName,
    TypeShape? Element,
    bool IsNullable,
    bool IsValueType,
    bool IsLocal,
    EquatableArray<EnumValue> EnumValues = default);

/// <summary>One value of an enum: its C# name and its number, as invariant decimal text (any underlying type fits).</summary>
internal sealed record EnumValue(string Name, string Number);
