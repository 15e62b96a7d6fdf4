using System.Diagnostics.Metrics;

namespace Truffle.Hosting.Tests.Support;

/// <summary>
/// Sums one instrument of one meter, as created by one container's <see cref="IMeterFactory"/> only: the same
/// instrument on the process-wide meter, or on another host's, is not seen.
/// </summary>
internal sealed class ScopedMeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public ScopedMeterRecorder(IMeterFactory factory, string meterName, string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == meterName && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
