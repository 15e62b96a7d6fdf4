namespace Truffle;

/// <summary>
/// Declares a partial record or class as one device's slice of a synced store. The source generator writes its
/// formatter and a member-wise diff and apply, so that a change travels as only the members that changed.
/// </summary>
/// <remarks>A store id matches <c>^[a-z][a-z0-9-]{0,62}$</c>; a slice has between 1 and 64 members.</remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class SyncedSliceAttribute : Attribute
{
    /// <summary>Declares a slice of the store <paramref name="storeId"/>.</summary>
    /// <param name="storeId">The store id on the wire, for example <c>"presence"</c>.</param>
    public SyncedSliceAttribute(string storeId) => StoreId = storeId;

    /// <summary>The store id on the wire.</summary>
    public string StoreId { get; }
}
