using System.Diagnostics.Metrics;

namespace Truffle.Hosting;

/// <summary>
/// The <c>Truffle.Hosting</c> meter, created through the container's <see cref="IMeterFactory"/> (so a listener can tell
/// one host's measurements from another's), or owned here when the container has no factory.
/// </summary>
/// <remarks>
/// The runtime's own instruments (<c>truffle.*</c> on the <c>Truffle</c> meter) stay process-wide: they are static in
/// the runtime and count every node of the process. See docs/hosting.md.
/// </remarks>
internal sealed class HostingMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Truffle.Hosting";

    /// <summary>The <c>outcome</c> of a handler call that returned.</summary>
    public const string Succeeded = "success";

    /// <summary>The <c>outcome</c> of a handler call that threw.</summary>
    public const string Failed = "error";

    /// <summary>The <c>outcome</c> of a handler call stopped by the host's shutdown.</summary>
    public const string Canceled = "canceled";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _handlerCalls;

    public HostingMetrics(IMeterFactory? factory, HostedTruffleNode node)
    {
        string? version = typeof(HostingMetrics).Assembly.GetName().Version?.ToString();
        _ownsMeter = factory is null;
        _meter = factory?.Create(new MeterOptions(MeterName) { Version = version }) ?? new Meter(MeterName, version);
        _handlerCalls = _meter.CreateCounter<long>(
            "truffle.hosting.handler.calls", "{call}", "Handler class calls (tags handler: the class, outcome: success, error or canceled).");
        _meter.CreateObservableGauge(
            "truffle.hosting.devices.online", () => OnlineDevices(node), "{device}", "Other devices of the app the hosted node is connected to now.");
    }

    /// <summary>Counts one call of <paramref name="handler"/> that ended with <paramref name="outcome"/>.</summary>
    public void HandlerInvoked(string handler, string outcome) =>
        _handlerCalls.Add(1, new KeyValuePair<string, object?>("handler", handler), new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static IEnumerable<Measurement<int>> OnlineDevices(HostedTruffleNode node) =>
        node.Current is { } running ? [new Measurement<int>(running.Devices.Count(d => d.IsOnline))] : [];
}
