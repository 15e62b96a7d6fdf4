using Microsoft.Extensions.Time.Testing;

namespace Truffle.Tests.Simulation;

/// <summary>
/// One process's view of the shared <see cref="FakeTimeProvider"/>: the same time, but timers whose callbacks are
/// held back while the device is paused (a frozen process) and dropped for good once the process has ended, and
/// whose next due time the network can see, so it advances the clock straight to the next thing that happens.
/// </summary>
internal sealed class NodeClock(SimNode node, FakeTimeProvider clock, Action<NodeClock, DateTimeOffset>? scheduled = null) : TimeProvider
{
    private readonly List<SimTimer> _timers = [];

    /// <summary>True once the process this clock belongs to has ended: no callback of it runs again.</summary>
    public bool Ended { get; private set; }

    /// <summary>Timers created and not disposed: what a stopped process must have none of.</summary>
    public int LiveTimers => _timers.Count;

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override long GetTimestamp() => clock.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SimTimer(this, callback, state);
        _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>The process ended (stopped or killed): every timer it left is dropped.</summary>
    public void End()
    {
        Ended = true;
        foreach (SimTimer timer in _timers.ToArray())
        {
            timer.Dispose();
        }
    }

    /// <summary>The timers due by <paramref name="time"/>, by callback, for a failure message.</summary>
    public string DueBy(DateTimeOffset time) =>
        string.Join(", ", _timers.Where(t => t.NextDue <= time).Select(t => t.Describe()));

    /// <summary>The earliest time one of this process's timers is due, if any.</summary>
    public DateTimeOffset? NextDue()
    {
        if (Ended)
        {
            return null;
        }

        DateTimeOffset? next = null;
        foreach (SimTimer timer in _timers)
        {
            if (timer.NextDue is { } due && (next is null || due < next))
            {
                next = due;
            }
        }

        return next;
    }

    private sealed class SimTimer : ITimer
    {
        private readonly NodeClock _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _inner;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public SimTimer(NodeClock owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            _inner = owner.Inner.CreateTimer(static s => ((SimTimer)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public DateTimeOffset? NextDue
        {
            get;
            private set
            {
                field = value;
                if (value is { } due)
                {
                    _owner.Scheduled(due);
                }
            }
        }

        public string Describe() => $"{_callback.Method.DeclaringType?.Name}.{_callback.Method.Name}({_state?.GetType().Name}) due {NextDue:HH:mm:ss.fffffff}";

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            // FakeTimeProvider schedules to the tick; mirror it so the network's view of due times is exact.
            _period = period;
            NextDue = dueTime < TimeSpan.Zero ? null : _owner.GetUtcNow() + dueTime;
            return _inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            _disposed = true;
            NextDue = null;
            _owner._timers.Remove(this);
            _inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        /// <summary>Runs the callback now (a paused process's held-back timer, on resume).</summary>
        private void RunHeld()
        {
            if (!_disposed && !_owner.Ended)
            {
                _callback(_state);
            }
        }

        private void Fire()
        {
            if (_owner.Ended || _disposed)
            {
                NextDue = null;
                return;
            }

            if (_owner.Node.Paused)
            {
                _owner.Node.Hold(this, RunHeld, timer: true);
            }
            else
            {
                _callback(_state);
            }

            // As FakeTimeProvider does after a callback: a one-shot is done, a periodic timer is due a period later.
            NextDue = _disposed || _period <= TimeSpan.Zero ? null : _owner.GetUtcNow() + _period;
        }
    }

    private SimNode Node => node;

    // Tells the network a timer of this process is due then, so it finds the next due time without asking every process.
    private void Scheduled(DateTimeOffset due) => scheduled?.Invoke(this, due);

    private FakeTimeProvider Inner => clock;
}
