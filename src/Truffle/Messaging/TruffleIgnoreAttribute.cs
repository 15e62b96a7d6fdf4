namespace Truffle;

/// <summary>Leaves a public property or field of an annotated type off the wire (and out of slice diffs).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
public sealed class TruffleIgnoreAttribute : Attribute
{
}
