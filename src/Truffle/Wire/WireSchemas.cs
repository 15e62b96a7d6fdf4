using System.Collections.Frozen;
using System.Collections.Immutable;
using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace Truffle.Wire;

/// <summary>
/// The wire namespaces this process knows: each generated assembly registers, from its module initializer, the
/// fingerprint of every namespace it declares and the wire types of its messages. The fingerprints travel in the
/// hello (<see cref="TruffleDevice.Schemas"/>); a message of a type no assembly registered is counted as unknown.
/// See docs/schema-evolution.md.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WireSchemas
{
    private static readonly Lock s_lock = new();
    private static ImmutableDictionary<string, ImmutableSortedSet<string>> s_fingerprints = ImmutableDictionary<string, ImmutableSortedSet<string>>.Empty.WithComparers(StringComparer.Ordinal);
    private static ImmutableHashSet<string> s_types = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);
    private static FrozenDictionary<string, string>? s_combined;

    /// <summary>Registers one generated assembly's part of <paramref name="wireNamespace"/>. Called by generated code only.</summary>
    /// <param name="wireNamespace">The namespace.</param>
    /// <param name="fingerprint">The hash of its messages' wire shapes in that assembly.</param>
    /// <param name="wireTypes">The wire types of its messages in that assembly.</param>
    public static void Register(string wireNamespace, string fingerprint, params string[] wireTypes)
    {
        ArgumentNullException.ThrowIfNull(wireNamespace);
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(wireTypes);
        lock (s_lock)
        {
            ImmutableSortedSet<string> parts = s_fingerprints.TryGetValue(wireNamespace, out ImmutableSortedSet<string>? existing)
                ? existing
                : ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal);
            s_fingerprints = s_fingerprints.SetItem(wireNamespace, parts.Add(fingerprint));
            s_types = s_types.Union(wireTypes.Select(type => Key(wireNamespace, type)));
            s_combined = null;
        }
    }

    /// <summary>
    /// One short fingerprint per namespace: the assembly's own when one assembly declares it, else a hash of every
    /// declaring assembly's (in ordinal order), so equal sets of contracts give equal fingerprints.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> Fingerprints
    {
        get
        {
            if (Volatile.Read(ref s_combined) is { } combined)
            {
                return combined;
            }

            lock (s_lock)
            {
                return s_combined ??= s_fingerprints.ToFrozenDictionary(
                    pair => pair.Key,
                    pair => pair.Value.Count == 1 ? pair.Value.Min! : Hash(string.Join(",", pair.Value)),
                    StringComparer.Ordinal);
            }
        }
    }

    /// <summary>True when a generated assembly of this process declares <paramref name="type"/> in <paramref name="wireNamespace"/>.</summary>
    internal static bool Knows(string wireNamespace, string type) => Volatile.Read(ref s_types).Contains(Key(wireNamespace, type));

    private static string Key(string wireNamespace, string type) => wireNamespace + "/" + type;

    // FNV-1a, as the generator hashes one assembly's namespace.
    private static string Hash(string text)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619);
        }

        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
