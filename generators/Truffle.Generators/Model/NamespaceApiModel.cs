using Truffle.Generators.Helpers;

namespace Truffle.Generators.Model;

/// <summary>
/// The typed API of one wire namespace (<c>bus.Chat</c>) in the assembly being compiled: every message of the
/// namespace it declares or references, and how to expose them.
/// </summary>
/// <param name="WireNamespace">The namespace on the wire.</param>
/// <param name="PropertyName">The PascalCase property on the bus, for example <c>Chat</c>.</param>
/// <param name="ApiNamespace">The C# namespace of this assembly's generated APIs.</param>
/// <param name="UseExtensionProperty">True on C# 14 and later; older versions get an extension method.</param>
/// <param name="LegacyAssembly">
/// The referenced assembly whose public API (Truffle.Generators 0.1.0) already adds <c>bus.Chat</c>; the messages
/// it lacks are then added to that API as extension methods instead of declaring a second <c>bus.Chat</c>.
/// </param>
/// <param name="Messages">The messages, ordered by wire type.</param>
internal sealed record NamespaceApiModel(
    string WireNamespace,
    string PropertyName,
    string ApiNamespace,
    bool UseExtensionProperty,
    string? LegacyAssembly,
    EquatableArray<ApiMessage> Messages);

/// <summary>A message as the typed API sees it.</summary>
/// <param name="FullyQualifiedName">The <c>global::</c>-qualified type name.</param>
/// <param name="WireType">For a message of this compilation, its wire type; null for a referenced one, whose own compiled wire type is used.</param>
/// <param name="Reply">For a request, the reply type.</param>
/// <param name="InLegacyApi">True for a message that the <see cref="NamespaceApiModel.LegacyAssembly"/> API already serves.</param>
internal sealed record ApiMessage(string FullyQualifiedName, string? WireType, TypeShape? Reply, bool InLegacyApi);
