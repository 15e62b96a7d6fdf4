namespace Truffle.Generators.Model;

/// <summary>One argument of the constructor the formatter calls: a member's value, or the parameter's default.</summary>
/// <param name="MemberIndex">The member passed, or -1 to pass <paramref name="DefaultValue"/>.</param>
/// <param name="DefaultValue">The parameter's declared default when no member matches it.</param>
internal sealed record ConstructorArgument(int MemberIndex, string? DefaultValue);
