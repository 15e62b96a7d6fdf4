using Microsoft.CodeAnalysis;

namespace Truffle.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. Ids are assigned by hand and never reused; each has a row in
/// AnalyzerReleases.Unshipped.md and a section in docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string NotPartialId = "TRF001";
    public const string UnsupportedMemberTypeId = "TRF002";
    public const string InvalidWireNameId = "TRF003";
    public const string DuplicateWireNameId = "TRF004";
    public const string SliceWithoutMembersId = "TRF005";
    public const string UnsupportedDeclarationId = "TRF006";
    public const string TooManySliceMembersId = "TRF007";
    public const string DuplicateKeyId = "TRF008";

    private const string Category = "Truffle.Generator";
    private const string HelpBase = "https://github.com/truffle-dotnet/truffle/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Create(
        NotPartialId,
        "Annotated type must be partial",
        "'{0}' must be declared partial so Truffle can generate its serializer");

    public static readonly DiagnosticDescriptor UnsupportedMemberType = Create(
        UnsupportedMemberTypeId,
        "Member type is not supported",
        "{0} '{1}' has type '{2}', which Truffle cannot serialize: use a supported type or a [TruffleMessage]/[SyncedSlice] type");

    public static readonly DiagnosticDescriptor InvalidWireName = Create(
        InvalidWireNameId,
        "Invalid or reserved wire name",
        "{0} '{1}' {2}");

    public static readonly DiagnosticDescriptor DuplicateWireName = Create(
        DuplicateWireNameId,
        "Two types share a wire name",
        "'{0}' and '{1}' both use {2} on the wire");

    public static readonly DiagnosticDescriptor SliceWithoutMembers = Create(
        SliceWithoutMembersId,
        "Slice has no members",
        "Slice '{0}' has no serializable member: add a public property or field");

    public static readonly DiagnosticDescriptor UnsupportedDeclaration = Create(
        UnsupportedDeclarationId,
        "Type cannot be generated",
        "'{0}' cannot be a Truffle type: {1}");

    public static readonly DiagnosticDescriptor TooManySliceMembers = Create(
        TooManySliceMembersId,
        "Slice has too many members",
        "Slice '{0}' has {1} members; a slice may have at most 64: group related members into a nested [TruffleMessage] record");

    public static readonly DiagnosticDescriptor DuplicateKey = Create(
        DuplicateKeyId,
        "Two members share a wire key",
        "Members '{0}' and '{1}' of '{2}' both map to the key '{3}' on the wire");

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
