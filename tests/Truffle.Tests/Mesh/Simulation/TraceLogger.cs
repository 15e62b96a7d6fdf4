using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>Writes a node's election log lines, stamped with simulated time, to the network's trace (for debugging a seed).</summary>
internal sealed class TraceLogger(SimulatedNetwork network, string node) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => network.Trace is not null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        network.Trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{network.Now:HH:mm:ss.fff} {node}: {formatter(state, exception)}"));
}
