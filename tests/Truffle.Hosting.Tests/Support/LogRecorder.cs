using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Truffle.Hosting.Tests.Support;

/// <summary>A logger provider that keeps every entry, so a test can await one.</summary>
internal sealed class LogRecorder : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly SemaphoreSlim _logged = new(0);

    public IReadOnlyCollection<Entry> Entries => _entries.ToArray();

    public ILoggerFactory CreateFactory() => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

    /// <summary>Completes with the first entry (logged before or after the call) that matches.</summary>
    public async Task<Entry> WaitForAsync(Func<Entry, bool> match, string what)
    {
        using var deadline = new CancellationTokenSource(Wait.Timeout);
        while (true)
        {
            if (_entries.FirstOrDefault(match) is { } entry)
            {
                return entry;
            }

            try
            {
                await _logged.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("Nothing was logged that matches: " + what);
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _entries.Enqueue(new Entry(logLevel, eventId.Id, formatter(state, exception), exception));
        _logged.Release();
    }

    public void Dispose()
    {
    }

    public sealed record Entry(LogLevel Level, int EventId, string Message, Exception? Exception);
}
