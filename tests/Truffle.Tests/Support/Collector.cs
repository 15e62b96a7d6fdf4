using System.Threading.Channels;

namespace Truffle.Tests.Support;

/// <summary>Collects values from handlers so a test can await them in arrival order.</summary>
internal sealed class Collector<T>
{
    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();

    public void Add(T item) => _items.Writer.TryWrite(item);

    public async Task<T> Next() => await _items.Reader.ReadAsync().AsTask().WaitAsync(Test.Timeout);
}
