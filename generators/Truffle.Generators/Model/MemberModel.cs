namespace Truffle.Generators.Model;

/// <summary>A serialized member of an annotated type.</summary>
/// <param name="Name">The C# member name.</param>
/// <param name="Key">The camelCase key on the wire.</param>
/// <param name="Shape">The member's type.</param>
/// <param name="IsSettable">True when it can be set in an object initializer (set or init).</param>
/// <param name="DefaultValue">
/// The expression a missing key takes when the constructor declares a default for it; null for the type's default.
/// </param>
internal sealed record MemberModel(string Name, string Key, TypeShape Shape, bool IsSettable, string? DefaultValue);
