using System.Diagnostics.Metrics;
using Truffle.Wire;

namespace Truffle.Tests.Support;

/// <summary>
/// Sums one counter of the Truffle meter for one namespace. The meter is process-wide and tests run in parallel,
/// so each test uses its own namespace and counts only the measurements tagged with it. A null namespace counts
/// every measurement (for instruments without a namespace tag; assert a lower bound then).
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string? _namespace;
    private long _total;

    public MetricRecorder(Counter<long> counter, string? messageNamespace)
    {
        _namespace = messageNamespace;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TruffleMetrics.MeterName && instrument.Name == counter.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (_namespace is null)
        {
            Interlocked.Add(ref _total, value);
            return;
        }

        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "namespace" && tag.Value as string == _namespace)
            {
                Interlocked.Add(ref _total, value);
            }
        }
    }
}
