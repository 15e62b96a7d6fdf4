namespace Truffle;

/// <summary>
/// Declares a partial record or class as a Truffle message. The source generator writes its MessagePack formatter
/// and adds it to the typed API of its namespace (for <c>[TruffleMessage("chat")]</c>: <c>bus.Chat.Send(...)</c>).
/// </summary>
/// <remarks>
/// A namespace matches <c>^[a-z][a-z0-9-]{0,62}$</c>; <c>truffle</c>, <c>mesh</c> and <c>sync</c> are reserved.
/// The pair (namespace, <see cref="Type"/>) must be unique within a compilation.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class TruffleMessageAttribute : Attribute
{
    /// <summary>Declares a message in the namespace <paramref name="ns"/>.</summary>
    /// <param name="ns">The namespace on the wire, for example <c>"chat"</c>.</param>
    public TruffleMessageAttribute(string ns) => Namespace = ns;

    /// <summary>The namespace on the wire.</summary>
    public string Namespace { get; }

    /// <summary>
    /// The message type on the wire. Defaults to the kebab-case of the type name
    /// (<c>ChatMessage</c> → <c>chat-message</c>).
    /// </summary>
    public string? Type { get; set; }
}
