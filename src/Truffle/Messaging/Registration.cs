namespace Truffle.Messaging;

/// <summary>Runs an action once, on the first <see cref="Dispose"/>: what Subscribe and Handle return.</summary>
internal sealed class Registration(Action onDispose) : IDisposable
{
    private Action? _onDispose = onDispose;

    public void Dispose() => Interlocked.Exchange(ref _onDispose, null)?.Invoke();
}
