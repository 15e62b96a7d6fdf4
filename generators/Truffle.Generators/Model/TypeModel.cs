using Truffle.Generators.Helpers;

namespace Truffle.Generators.Model;

/// <summary>
/// Everything the emitter needs to know about one annotated type.
/// </summary>
/// <remarks>
/// A pipeline value: it must be immutable and compare by value (strings, enums, nested records and
/// <see cref="EquatableArray{T}"/> only; never a symbol, syntax node, location or compilation), so that an edit
/// which does not change it leaves every output cached.
/// </remarks>
internal sealed record TypeModel(
    string FullyQualifiedName,
    string Name,
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Keyword,
    bool IsValueType,
    MessageInfo? Message,
    string? StoreId,
    EquatableArray<MemberModel> Members,
    EquatableArray<ConstructorArgument> ConstructorArguments,
    string HintName,
    bool HidesBaseFormatter);

/// <summary>The wire names of a message and, for a request, its reply type.</summary>
internal sealed record MessageInfo(string WireNamespace, string WireType, TypeShape? Reply);
