using Truffle.Generators.Helpers;

namespace Truffle.Generators.Schema;

/// <summary>
/// The wire shape of every annotated type of an assembly, as <c>truffle.schema.json</c> records it. Built from the
/// type models, or read back from the lock file; compared by value.
/// </summary>
/// <param name="Types">The types, ordered by <see cref="SchemaType.Wire"/>.</param>
internal sealed record SchemaModel(EquatableArray<SchemaType> Types)
{
    /// <summary>The version of the file format this generator writes and reads.</summary>
    public const int FormatVersion = 1;
}

/// <summary>One annotated type on the wire.</summary>
/// <param name="Wire">What it claims on the wire: <c>message notes/memo</c> or <c>store presence</c>.</param>
/// <param name="CSharpName">The C# type, for people reading the file; not compared.</param>
/// <param name="Reply">For a request, the wire type of its reply.</param>
/// <param name="Members">Its members in declaration order.</param>
internal sealed record SchemaType(string Wire, string CSharpName, string? Reply, EquatableArray<SchemaMember> Members);

/// <summary>One member of a <see cref="SchemaType"/>.</summary>
/// <param name="Key">The key on the wire.</param>
/// <param name="Name">The C# member, for people reading the file; not compared.</param>
/// <param name="WireType">Its encoding (see <see cref="WireTypes"/>).</param>
/// <param name="Nullable">True when <c>nil</c> is a legal value.</param>
/// <param name="Required">True when a map without it fails to decode.</param>
/// <param name="Default">The declared default, as C#, when it has one.</param>
/// <param name="Enum">The enum its type is (or holds, for a collection or a nullable), when it is one.</param>
internal sealed record SchemaMember(string Key, string Name, string WireType, bool Nullable, bool Required, string? Default, SchemaEnum? Enum = null);

/// <summary>
/// An enum as the lock records it: on the wire only its numbers travel, so the names say what each number means, and
/// a value renumbered or removed changes the meaning of what devices on the locked version send (TRF015).
/// </summary>
/// <param name="Name">The C# enum, for messages; a renamed enum whose values keep their names and numbers is no change.</param>
/// <param name="Values">Its values, ordered by number, then by name.</param>
internal sealed record SchemaEnum(string Name, EquatableArray<Model.EnumValue> Values);
