using System.Diagnostics.Metrics;
using Truffle.Wire;

namespace Truffle.Tests.Support;

/// <summary>Collects the measurements of one histogram of the Truffle meter, with their <c>peer</c> tag.</summary>
internal sealed class HistogramRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, TaskCompletionSource<double>> _firstByPeer = new(StringComparer.Ordinal);

    public HistogramRecorder(string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TruffleMetrics.MeterName && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>The first measurement tagged with <paramref name="peer"/>; fails after <see cref="Test.Timeout"/>.</summary>
    public Task<double> FirstForPeerAsync(string peer) => Signal(peer).Task.WaitAsync(Test.Timeout);

    public void Dispose() => _listener.Dispose();

    private TaskCompletionSource<double> Signal(string peer)
    {
        lock (_firstByPeer)
        {
            if (!_firstByPeer.TryGetValue(peer, out TaskCompletionSource<double>? signal))
            {
                _firstByPeer[peer] = signal = Test.NewSignal<double>();
            }

            return signal;
        }
    }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "peer" && tag.Value is string peer)
            {
                Signal(peer).TrySetResult(value);
            }
        }
    }
}
