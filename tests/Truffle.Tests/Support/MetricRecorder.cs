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
    private readonly SemaphoreSlim _changed = new(0);
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

    /// <summary>Completes when the total reaches <paramref name="atLeast"/>; fails after <see cref="Test.Timeout"/>.</summary>
    public async Task WaitForAsync(long atLeast)
    {
        using var deadline = new CancellationTokenSource(Test.Timeout);
        while (Total < atLeast)
        {
            try
            {
                await _changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The counter reached {Total}, not {atLeast}.");
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _changed.Dispose();
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (_namespace is null || (tag.Key == "namespace" && tag.Value as string == _namespace))
            {
                Interlocked.Add(ref _total, value);
                _changed.Release();
                return;
            }
        }

        if (_namespace is null)
        {
            Interlocked.Add(ref _total, value);
            _changed.Release();
        }
    }
}
