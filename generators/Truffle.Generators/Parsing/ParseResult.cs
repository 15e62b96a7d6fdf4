using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Model;

namespace Truffle.Generators.Parsing;

/// <summary>
/// What parsing one annotated type produced: the model (null when the type cannot be generated) and the
/// diagnostics, with real source locations. Only <see cref="Model"/> flows on to source output; the rest feeds the
/// diagnostics output, so a moved declaration re-reports diagnostics without regenerating any source.
/// </summary>
/// <param name="Model">The equatable model, or null.</param>
/// <param name="Diagnostics">Diagnostics found while parsing this type alone.</param>
/// <param name="WireKeys">The (namespace, type) and store id this type claims, for the duplicate check.</param>
/// <param name="TypeName">The type's display name, for duplicate messages.</param>
/// <param name="Location">Where to report a duplicate: the type's identifier.</param>
/// <param name="MemberLocations">Where each of the model's members is declared, for the schema lock's checks.</param>
internal sealed record ParseResult(
    TypeModel? Model,
    ImmutableArray<Diagnostic> Diagnostics,
    ImmutableArray<string> WireKeys,
    string TypeName,
    Location? Location,
    ImmutableArray<Location?> MemberLocations)
{
    public static ParseResult Skipped { get; } = new(null, ImmutableArray<Diagnostic>.Empty, ImmutableArray<string>.Empty, string.Empty, null, ImmutableArray<Location?>.Empty);
}
