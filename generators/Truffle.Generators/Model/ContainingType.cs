namespace Truffle.Generators.Model;

/// <summary>A type that encloses an annotated type, so the generated partial can be nested the same way.</summary>
/// <param name="Keyword">The declaration keyword: <c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Name">The type's name.</param>
internal sealed record ContainingType(string Keyword, string Name);
