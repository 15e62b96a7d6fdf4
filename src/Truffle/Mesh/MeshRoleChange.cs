namespace Truffle;

/// <summary>The mesh's role and primary changed.</summary>
/// <param name="Role">This node's new role.</param>
/// <param name="PrimaryId">The primary's device id; null when there is none.</param>
/// <param name="Term">The election term the change belongs to.</param>
public sealed record MeshRoleChange(MeshRole Role, string? PrimaryId, ulong Term);
