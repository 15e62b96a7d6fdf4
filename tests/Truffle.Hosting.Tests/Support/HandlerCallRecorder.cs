using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Truffle.Hosting.Tests.Support;

/// <summary>
/// Counts <c>truffle.hosting.handler.calls</c> of one container's meter factory only: measurements of other hosts
/// in the same process (tests run in parallel) have another scope and are not seen.
/// </summary>
internal sealed class HandlerCallRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Handler, string Outcome), long> _counts = new();

    public HandlerCallRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == "Truffle.Hosting" && instrument.Name == "truffle.hosting.handler.calls")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? handler = null, outcome = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                handler = tag.Key == "handler" ? tag.Value as string : handler;
                outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
            }

            _counts.AddOrUpdate((handler ?? "?", outcome ?? "?"), value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public long Count(string handler, string outcome) => _counts.GetValueOrDefault((handler, outcome));

    public void Dispose() => _listener.Dispose();
}
