namespace Truffle;

/// <summary>
/// Sets the key a member has on the wire, in place of the camelCase of its name. Put it on a renamed member with the
/// old key (<c>[TruffleName("author")] string Writer</c>) so devices still on the previous version keep reading and
/// writing it; see docs/schema-evolution.md. On a positional record, put it on the parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, Inherited = true, AllowMultiple = false)]
public sealed class TruffleNameAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The member's key on the wire.</param>
    public TruffleNameAttribute(string name) => Name = name;

    /// <summary>The member's key on the wire.</summary>
    public string Name { get; }
}
