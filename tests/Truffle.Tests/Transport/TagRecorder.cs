using System.Diagnostics.Metrics;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Transport;

/// <summary>
/// Sums one Truffle counter over the measurements whose tag <c>key</c> equals a value. The meter is process-wide,
/// so tests pick tag values no parallel test produces, or assert lower bounds.
/// </summary>
internal sealed class TagRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _key;
    private readonly object _value;
    private readonly SemaphoreSlim _measured = new(0);
    private long _total;

    public TagRecorder(Counter<long> counter, string key, object value)
    {
        _key = key;
        _value = value;
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

    public async Task WaitForAsync(long count)
    {
        while (Total < count)
        {
            Assert.True(await _measured.WaitAsync(Test.Timeout), $"only {Total} of {count} measurements of {_key}={_value}");
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _measured.Dispose();
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == _key && Equals(tag.Value, _value))
            {
                Interlocked.Add(ref _total, value);
                _measured.Release();
            }
        }
    }
}
