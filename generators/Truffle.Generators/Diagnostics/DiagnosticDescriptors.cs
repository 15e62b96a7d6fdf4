using Microsoft.CodeAnalysis;

namespace Truffle.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. Ids are assigned by hand and never reused; each has a row in
/// AnalyzerReleases.Unshipped.md and a section in docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Truffle.Generator";
    private const string HelpBase = "https://github.com/truffle-dotnet/truffle/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Create("TRF001", "Annotated type must be partial", "'{0}' must be declared partial so Truffle can generate its serializer");
    public static readonly DiagnosticDescriptor UnsupportedMemberType = Create("TRF002", "Member type is not supported", "{0} '{1}' has type '{2}', which Truffle cannot serialize: use a supported type or a [TruffleMessage]/[SyncedSlice] type");
    public static readonly DiagnosticDescriptor InvalidWireName = Create("TRF003", "Invalid or reserved wire name", "{0} '{1}' {2}");
    public static readonly DiagnosticDescriptor DuplicateWireName = Create("TRF004", "Two types share a wire name", "{0} and {1} both use {2} on the wire");
    public static readonly DiagnosticDescriptor SliceWithoutMembers = Create("TRF005", "Slice has no members", "Slice '{0}' has no serializable member: add a public property or field");
    public static readonly DiagnosticDescriptor UnsupportedDeclaration = Create("TRF006", "Type cannot be generated", "'{0}' cannot be a Truffle type: {1}");
    public static readonly DiagnosticDescriptor TooManySliceMembers = Create("TRF007", "Slice has too many members", "Slice '{0}' has {1} members; a slice may have at most 64: group related members into a nested [TruffleMessage] record");
    public static readonly DiagnosticDescriptor DuplicateKey = Create("TRF008", "Two members share a wire key", "Members '{0}' and '{1}' of '{2}' both map to the key '{3}' on the wire");
    public static readonly DiagnosticDescriptor MessageOfAnotherNamespace = Create("TRF009", "Message of another namespace", "'{0}' is a message of the '{1}' namespace, not of '{2}': use bus.{3}");

    public static readonly DiagnosticDescriptor NewMemberWithoutDefault = Create("TRF010", "New member without a default", "'{0}' of '{1}' is not in truffle.schema.json and has no default, so '{1}' from devices on the locked version, which never write '{2}', fails to decode: give it a default or make it nullable, keep an old key with [TruffleName(\"…\")], or update the lock on purpose (dotnet build -p:TruffleUpdateSchema=true)");
    public static readonly DiagnosticDescriptor RemovedRequiredMember = Create("TRF011", "Member removed that older versions require", "'{0}' no longer has the member with key '{1}' that truffle.schema.json records as required, so devices on the locked version fail to decode what this one sends: keep the member (a renamed one keeps its key with [TruffleName(\"{1}\")]), or update the lock on purpose (dotnet build -p:TruffleUpdateSchema=true)");
    public static readonly DiagnosticDescriptor WireTypeChanged = Create("TRF012", "Wire type changed", "{0} of '{1}' is {2} on the wire, but truffle.schema.json records {3}, which devices on the locked version cannot read: keep the type (only widening a number is compatible), add a member or message under a new name, or update the lock on purpose (dotnet build -p:TruffleUpdateSchema=true)");
    public static readonly DiagnosticDescriptor RemovedMessageType = Create("TRF014", "Message type removed", "truffle.schema.json records the message {0} ('{1}'), which this build no longer declares, so what devices on the locked version send as {0} reaches no handler here (it is counted as unknown), and their requests of it get no reply: keep the type (a renamed one keeps its wire type with [TruffleMessage(\"{2}\", Type = \"{3}\")]), or update the lock on purpose (dotnet build -p:TruffleUpdateSchema=true)");
    public static readonly DiagnosticDescriptor EnumChanged = Create("TRF015", "Enum value renumbered or removed", "'{0}' of '{1}' changes an enum against truffle.schema.json: {2}; only numbers travel, so a number a device on the locked version sends means another value, or none, here (and the reverse): keep every recorded value's name and number and give new values new numbers, or update the lock on purpose (dotnet build -p:TruffleUpdateSchema=true)");
    public static readonly DiagnosticDescriptor UnreadableSchemaLock = Create("TRF013", "Schema lock cannot be read", "truffle.schema.json cannot be read ({0}): write it again with dotnet build -p:TruffleUpdateSchema=true");

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
