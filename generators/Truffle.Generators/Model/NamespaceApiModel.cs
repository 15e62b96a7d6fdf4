using Truffle.Generators.Helpers;

namespace Truffle.Generators.Model;

/// <summary>The typed API of one wire namespace (<c>bus.Chat</c>): its messages and how to expose it.</summary>
/// <param name="WireNamespace">The namespace on the wire.</param>
/// <param name="PropertyName">The PascalCase property on the bus, for example <c>Chat</c>.</param>
/// <param name="IsPublic">True when every message is public, so the API can be too.</param>
/// <param name="UseExtensionProperty">True on C# 14 and later; older versions get an extension method.</param>
/// <param name="Messages">The messages, ordered by wire type.</param>
internal sealed record NamespaceApiModel(
    string WireNamespace,
    string PropertyName,
    bool IsPublic,
    bool UseExtensionProperty,
    EquatableArray<ApiMessage> Messages);

/// <summary>A message as the typed API sees it.</summary>
internal sealed record ApiMessage(string FullyQualifiedName, string Name, string WireType, TypeShape? Reply);
