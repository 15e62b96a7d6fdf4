namespace Truffle.Benchmarks.Mesh;

/// <summary>Round-trip times collected by a harness, summarized as percentiles in microseconds.</summary>
internal sealed class Latencies(int capacity)
{
    private readonly List<double> _micros = new(capacity);

    public void Add(TimeSpan elapsed) => _micros.Add(elapsed.TotalMicroseconds);

    public double Percentile(double p)
    {
        double[] sorted = [.. _micros.Order()];
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
    }

    public string Summary => $"p50 {Percentile(50):0} µs, p99 {Percentile(99):0} µs";
}
