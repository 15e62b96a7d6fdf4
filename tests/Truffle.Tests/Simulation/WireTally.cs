using Truffle.Mesh;
using Truffle.Sync;
using Truffle.Wire;

namespace Truffle.Tests.Simulation;

/// <summary>
/// What a simulated network carried, as encoded envelopes and their bytes (the envelope as it is on the wire,
/// without the transport's frame): in total, by sending device and by what they were. A
/// <see cref="Snapshot"/> taken before and after a phase gives that phase's cost.
/// </summary>
internal sealed class WireTally
{
    private readonly Dictionary<string, (long Envelopes, long Bytes)> _byDevice = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Envelopes, long Bytes)> _byWhat = new(StringComparer.Ordinal);

    public long Envelopes { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Entries of every sync digest carried.</summary>
    public long DigestEntries { get; private set; }

    /// <summary>One envelope of <paramref name="bytes"/> sent by <paramref name="from"/>.</summary>
    public void Add(SimNode from, in Envelope envelope, int bytes)
    {
        Envelopes++;
        Bytes += bytes;
        Bump(_byDevice, from.Id, bytes);
        Bump(_byWhat, What(envelope, out int digestEntries), bytes);
        DigestEntries += digestEntries;
    }

    /// <summary>The counts now, to subtract from a later snapshot.</summary>
    public Counts Snapshot() => new(Envelopes, Bytes, DigestEntries, new(_byDevice, StringComparer.Ordinal), new(_byWhat, StringComparer.Ordinal));

    // The election and mesh control messages by type, sync messages by kind, everything else by namespace.
    private static string What(in Envelope envelope, out int digestEntries)
    {
        digestEntries = 0;
        if (envelope.Namespace == StoreSyncAdapter.Namespace)
        {
            string kind = SyncMessageCodec.TryRead(envelope.Payload, out SyncMessage? message) ? message!.GetType().Name.Replace("Message", "", StringComparison.Ordinal) : "?";
            digestEntries = message is DigestMessage digest ? digest.Entries.Length : 0;
            return $"{envelope.Kind}:sync/{kind}";
        }

        return envelope.Namespace == MeshNode.ControlNamespace
            ? $"{envelope.Kind}:mesh/{envelope.Type}"
            : $"{envelope.Kind}:{envelope.Namespace}";
    }

    private static void Bump(Dictionary<string, (long Envelopes, long Bytes)> counts, string key, int bytes)
    {
        (long envelopes, long total) = counts.GetValueOrDefault(key);
        counts[key] = (envelopes + 1, total + bytes);
    }

    /// <summary>The counts at one moment.</summary>
    public sealed record Counts(
        long Envelopes, long Bytes, long DigestEntries, Dictionary<string, (long Envelopes, long Bytes)> ByDevice, Dictionary<string, (long Envelopes, long Bytes)> ByWhat)
    {
        /// <summary>What was carried between <paramref name="before"/> and this snapshot.</summary>
        public Counts Since(Counts before) => new(
            Envelopes - before.Envelopes,
            Bytes - before.Bytes,
            DigestEntries - before.DigestEntries,
            Minus(ByDevice, before.ByDevice),
            Minus(ByWhat, before.ByWhat));

        /// <summary>The device that sent the most bytes, and how many.</summary>
        public (string Device, long Envelopes, long Bytes) Busiest()
        {
            if (ByDevice.Count == 0)
            {
                return ("-", 0, 0);
            }

            KeyValuePair<string, (long Envelopes, long Bytes)> top = ByDevice.MaxBy(d => d.Value.Bytes);
            return (top.Key, top.Value.Envelopes, top.Value.Bytes);
        }

        private static Dictionary<string, (long, long)> Minus(Dictionary<string, (long Envelopes, long Bytes)> after, Dictionary<string, (long Envelopes, long Bytes)> before)
        {
            Dictionary<string, (long, long)> result = new(StringComparer.Ordinal);
            foreach ((string key, (long envelopes, long bytes)) in after)
            {
                (long e, long b) = before.GetValueOrDefault(key);
                if (envelopes != e)
                {
                    result[key] = (envelopes - e, bytes - b);
                }
            }

            return result;
        }
    }
}
