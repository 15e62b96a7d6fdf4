using System.Diagnostics.Metrics;
using Truffle.Wire;

namespace Truffle.Tests.Support;

/// <summary>
/// Sums one sync instrument for one store (and optionally one <c>reason</c>). The meter is process-wide and tests
/// run in parallel, so a test that asserts a count uses a store no other test writes.
/// </summary>
internal sealed class SyncCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _store;
    private readonly string? _reason;
    private long _total;

    public SyncCounter(Counter<long> counter, string store, string? reason = null)
    {
        _store = store;
        _reason = reason;
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
        bool store = false, reason = _reason is null;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            store |= tag.Key == "store" && tag.Value as string == _store;
            reason |= tag.Key == "reason" && tag.Value as string == _reason;
        }

        if (store && reason)
        {
            Interlocked.Add(ref _total, value);
        }
    }
}
