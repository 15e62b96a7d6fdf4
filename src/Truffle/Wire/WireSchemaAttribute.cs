using System.ComponentModel;

namespace Truffle.Wire;

/// <summary>
/// One wire namespace a generated assembly declares, with its fingerprint and message types, as metadata: the
/// generator of an assembly that references this one reads it at compile time and registers it from that assembly's
/// own module initializer, so the namespace is in the hello before anything loads this assembly. Emitted by the
/// generator only; see docs/schema-evolution.md.
/// </summary>
/// <param name="wireNamespace">The namespace.</param>
/// <param name="fingerprint">The hash of its messages' wire shapes in this assembly.</param>
/// <param name="wireTypes">The wire types of its messages in this assembly.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class WireSchemaAttribute(string wireNamespace, string fingerprint, params string[] wireTypes) : Attribute
{
    /// <summary>The namespace.</summary>
    public string WireNamespace { get; } = wireNamespace;

    /// <summary>The hash of its messages' wire shapes in this assembly.</summary>
    public string Fingerprint { get; } = fingerprint;

    /// <summary>The wire types of its messages in this assembly.</summary>
    public IReadOnlyList<string> WireTypes { get; } = wireTypes;
}
