using Microsoft.Extensions.Time.Testing;

namespace Truffle.Tests.Mesh.Simulation;

/// <summary>
/// One node's view of the shared <see cref="FakeTimeProvider"/>: the same time, but timers whose callbacks are held
/// back while the node is paused (a frozen process) and dropped once it is dead, and whose next due time the
/// network can see, so it advances the clock straight to the next thing that happens.
/// </summary>
internal sealed class NodeClock(SimNode node, FakeTimeProvider clock) : TimeProvider
{
    private readonly List<SimTimer> _timers = [];

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

    /// <summary>The earliest time one of this node's timers is due, if any.</summary>
    public DateTimeOffset? NextDue()
    {
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
        private long _periodMs = -1;
        private bool _disposed;

        public SimTimer(NodeClock owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            _inner = owner.Inner.CreateTimer(static s => ((SimTimer)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public DateTimeOffset? NextDue { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            // FakeTimeProvider counts whole milliseconds; mirror it so the network's view of due times is exact.
            long dueMs = (long)dueTime.TotalMilliseconds;
            _periodMs = (long)period.TotalMilliseconds;
            NextDue = dueMs < 0 ? null : _owner.GetUtcNow() + TimeSpan.FromMilliseconds(dueMs);
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

        /// <summary>Runs the callback now (a paused node's held-back timer, on resume).</summary>
        private void RunHeld()
        {
            if (!_disposed && _owner.Node.Alive)
            {
                _callback(_state);
            }
        }

        private void Fire()
        {
            if (_owner.Node.Paused)
            {
                _owner.Node.Hold(this, RunHeld, timer: true);
            }
            else if (_owner.Node.Alive && !_disposed)
            {
                _callback(_state);
            }

            // As FakeTimeProvider does after a callback: a one-shot is done, a periodic timer is due a period later.
            NextDue = _disposed || _periodMs is 0 or -1 ? null : _owner.GetUtcNow() + TimeSpan.FromMilliseconds(_periodMs);
        }
    }

    private SimNode Node => node;

    private FakeTimeProvider Inner => clock;
}
