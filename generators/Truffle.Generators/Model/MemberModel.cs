namespace Truffle.Generators.Model;

/// <summary>A serialized member of an annotated type.</summary>
/// <param name="Name">The C# member name.</param>
/// <param name="Key">The camelCase key on the wire.</param>
/// <param name="Shape">The member's type.</param>
/// <param name="IsSettable">True when it can be set in an object initializer (set or init).</param>
/// <param name="MustInitialize">
/// True for init-only and required members, which only an object initializer can set; other settable members are
/// assigned after construction, and only when their key was present, so a missing key keeps the member's initializer.
/// </param>
/// <param name="DefaultValue">
/// The expression a missing key takes when the constructor declares a default for it; null for the type's default.
/// </param>
/// <param name="IsRequired">
/// True when a missing key is a decode failure: a <c>required</c> member, or a constructor parameter of a non-nullable
/// reference type without a default, for which there is no value to take (see docs/schema-evolution.md).
/// </param>
internal sealed record MemberModel(string Name, string Key, TypeShape Shape, bool IsSettable, bool MustInitialize, string? DefaultValue, bool IsRequired);
