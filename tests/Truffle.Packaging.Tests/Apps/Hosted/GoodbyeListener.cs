using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Hosted;

/// <summary>
/// Hears the runtime's "{DeviceId} said goodbye" (event 6010) in the visitor's logs: a device that merely vanished
/// would go offline too, after its lease, so only the goodbye shows that the host stopped the node gracefully.
/// </summary>
public sealed class GoodbyeListener : ILoggerProvider, ILogger
{
    private const int SaidGoodbye = 6010;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _heard = new(StringComparer.Ordinal);

    public Task HeardFrom(string deviceId) => Heard(deviceId).Task;

    public ILogger CreateLogger(string categoryName) => this;

    public bool IsEnabled(LogLevel logLevel) => true;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == SaidGoodbye)
        {
            Heard(formatter(state, exception).Split(' ')[0]).TrySetResult();
        }
    }

    public void Dispose()
    {
    }

    private TaskCompletionSource Heard(string deviceId) =>
        _heard.GetOrAdd(deviceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
