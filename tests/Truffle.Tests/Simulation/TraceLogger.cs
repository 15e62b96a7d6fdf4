using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Truffle.Tests.Simulation;

/// <summary>Writes a device's log lines, stamped with simulated time, to the network's trace (for debugging a seed).</summary>
internal sealed class TraceLoggerFactory(SimulatedNetwork network, string node) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new TraceLogger(network, node, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class TraceLogger(SimulatedNetwork network, string node, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => network.Trace is not null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            network.Trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{network.Now:HH:mm:ss.fff} {node} {category}: {formatter(state, exception)}"));
    }
}
