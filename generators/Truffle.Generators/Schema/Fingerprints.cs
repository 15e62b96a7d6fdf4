using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Schema;

/// <summary>
/// The short fingerprint of each wire namespace an assembly declares: a hash of the wire shapes of its messages (keys,
/// wire types, nullability, required members, replies; never C# names), so two builds whose messages look the same on
/// the wire have the same fingerprint. Devices exchange them in their hello (docs/schema-evolution.md).
/// </summary>
internal static class Fingerprints
{
    public static EquatableArray<NamespaceSchema> Of(IEnumerable<TypeModel> messages) =>
        messages
            .Where(m => m.Message is not null)
            .GroupBy(m => m.Message!.WireNamespace, System.StringComparer.Ordinal)
            .OrderBy(g => g.Key, System.StringComparer.Ordinal)
            .Select(g =>
            {
                SchemaType[] types = g.SelectMany(SchemaBuilder.Entries).Where(t => t.Wire.StartsWith("message ", System.StringComparison.Ordinal))
                    .OrderBy(t => t.Wire, System.StringComparer.Ordinal).ToArray();
                return new NamespaceSchema(
                    g.Key,
                    Hash(types),
                    g.Select(m => m.Message!.WireType).OrderBy(t => t, System.StringComparer.Ordinal).ToEquatableArray());
            })
            .ToEquatableArray();

    private static string Hash(IEnumerable<SchemaType> types)
    {
        var text = new StringBuilder();
        foreach (SchemaType type in types)
        {
            text.Append(type.Wire).Append('>').Append(type.Reply).Append('{');
            foreach (SchemaMember member in type.Members)
            {
                text.Append(member.Key).Append(':').Append(member.WireType).Append(member.Nullable ? "?" : string.Empty).Append(member.Required ? "!" : string.Empty).Append(';');
            }

            text.Append('}');
        }

        // FNV-1a, 32 bits: stable across runs and platforms, unlike string.GetHashCode; short enough to read.
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(text.ToString()))
        {
            hash = unchecked((hash ^ b) * 16777619);
        }

        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}

/// <summary>One wire namespace of an assembly: its fingerprint and the wire types of its messages.</summary>
internal sealed record NamespaceSchema(string WireNamespace, string Fingerprint, EquatableArray<string> WireTypes);
