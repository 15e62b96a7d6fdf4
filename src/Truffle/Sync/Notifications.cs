namespace Truffle.Sync;

/// <summary>
/// Work collected while the engine's lock is held and run after it is released: change events (so that a handler
/// may read or write any store) and file writes (so that disk latency never blocks a receive).
/// </summary>
internal sealed class Notifications
{
    private List<Action>? _actions;

    /// <summary>Adds an action to run after the lock is released.</summary>
    public void Add(Action action) => (_actions ??= []).Add(action);

    /// <summary>Runs the collected actions in the order they were added; call it without the lock held.</summary>
    public void Run()
    {
        if (_actions is null)
        {
            return;
        }

        foreach (Action action in _actions)
        {
            action();
        }

        _actions = null;
    }
}
