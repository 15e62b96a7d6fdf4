using System.Globalization;

namespace Truffle.Tests.Simulation.Scale;

/// <summary>One measured phase of a <see cref="ScaleRun"/>: whether it finished, in how much simulated time, at what cost.</summary>
internal sealed record ScalePhase(int Size, string Name, bool Finished, TimeSpan Simulated, WireTally.Counts Carried, TimeSpan Wall)
{
    /// <summary>The markdown table's header for <see cref="Row"/>.</summary>
    public const string Header =
        "| devices | phase | simulated time | envelopes | per device | bytes per device | busiest device (envelopes, bytes) | wall time |\n" +
        "|---:|---|---:|---:|---:|---:|---|---:|";

    /// <summary>This phase as a row of the table in docs/scale.md.</summary>
    public string Row()
    {
        (string device, long envelopes, long bytes) = Carried.Busiest();
        string time = Finished ? $"{Simulated.TotalMilliseconds:0} ms" : $"not within {Simulated.TotalSeconds:0} s";
        return string.Create(CultureInfo.InvariantCulture,
            $"| {Size:N0} | {Name} | {time} | {Carried.Envelopes:N0} | {(double)Carried.Envelopes / Size:N1} | {Bytes((double)Carried.Bytes / Size)} | {device}: {envelopes:N0}, {Bytes(bytes)} | {Wall.TotalSeconds:0.0} s |");
    }

    /// <summary>What was carried, by kind, largest first: where the bytes of the phase went.</summary>
    public string Breakdown() => string.Join(", ", Carried.ByWhat.OrderByDescending(w => w.Value.Bytes)
        .Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Key} {w.Value.Envelopes:N0} ({Bytes(w.Value.Bytes)})")));

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 30):0.0} GiB"),
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 20):0.0} MiB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
    };
}
