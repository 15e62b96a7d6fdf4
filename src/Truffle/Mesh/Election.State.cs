using Truffle.Wire;

namespace Truffle.Mesh;

/// <summary>How the election reports its state: queued under the lock, delivered after it, in order.</summary>
internal sealed partial class Election
{
    private void SetTerm(ulong term)
    {
        if (term != _term)
        {
            _term = term;
            _metrics.Mesh.TermChanges.Add(1);
        }
    }

    private ElectionState CurrentState()
    {
        MeshRole role = _phase == Phase.Leading ? MeshRole.Primary
            : _leaderId is not null ? MeshRole.Secondary
            : MeshRole.None;
        return new ElectionState(role, _leaderId, _term);
    }

    /// <summary>After every input: arm the timer for the next deadline and queue a state change if any.</summary>
    private void Settle()
    {
        if (_started && _phase != Phase.Stopped && Deadline() is { } deadline && deadline < _armedFor)
        {
            // Only ever moved earlier here; a deadline that moved later is found when the timer fires and re-arms.
            // A fresh one-shot timer per deadline, because re-arming a timer from its own callback is lost on some
            // TimeProviders (FakeTimeProvider disables a one-shot after its callback returns). Timers tick in whole
            // milliseconds: round up so the timer never fires before the deadline, and never with a zero due time,
            // which some providers run synchronously, inside this lock.
            _armedFor = deadline;
            long dueMs = Math.Max(1, (long)Math.Ceiling((deadline - Now).TotalMilliseconds));
            _electionTimer?.Dispose();
            _electionTimer = _time.CreateTimer(static s => ((Election)s!).OnElectionTimer(), this,
                TimeSpan.FromMilliseconds(dueMs), Timeout.InfiniteTimeSpan);
        }

        ElectionState state = CurrentState();
        if (state.PrimaryId is not null)
        {
            _leaderlessSince = null;
        }
        else
        {
            _leaderlessSince ??= Now;
        }

        if (state != _published)
        {
            if (state.Role != _published.Role)
            {
                _metrics.Mesh.RoleChanges.Add(1, new KeyValuePair<string, object?>("role", state.Role.ToString()));
            }

            _published = state;
            Volatile.Write(ref _snapshot, new Snapshot(state));
            _pendingStates.Enqueue(state);
        }
    }

    /// <summary>Reports queued state changes outside the lock, one thread at a time, in order.</summary>
    private void DrainStateChanges()
    {
        lock (_gate)
        {
            if (_draining || _pendingStates.Count == 0)
            {
                return;
            }

            _draining = true;
        }

        while (true)
        {
            ElectionState state;
            lock (_gate)
            {
                if (!_pendingStates.TryDequeue(out state))
                {
                    _draining = false;
                    return;
                }
            }

            try
            {
                _output.StateChanged(state);
            }
#pragma warning disable CA1031 // a handler's exception must not stop the election or a timer thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                _metrics.InternalError("election_output");
                ElectionLog.StateHandlerFailed(_logger, e);
            }
        }
    }

    /// <summary>A published state, boxed so that a reader without the lock sees all of it or none.</summary>
    private sealed record Snapshot(ElectionState State);
}
