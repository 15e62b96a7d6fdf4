namespace Truffle.Transport;

/// <summary>
/// Reconnect delays: attempt n waits a random time between half and all of base × 2ⁿ, capped at the maximum, so
/// peers that lost each other at the same moment do not all come back at the same moment. Not thread-safe.
/// </summary>
internal sealed class Backoff
{
    private readonly TimeSpan _base;
    private readonly TimeSpan _max;
    private readonly Random _random;

    /// <summary>Creates a backoff starting at <paramref name="baseDelay"/> and never above <paramref name="maxDelay"/>.</summary>
    public Backoff(TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        _base = baseDelay;
        _max = maxDelay;
        _random = random;
    }

    /// <summary>The failed attempts since the last <see cref="Reset"/>.</summary>
    public int Attempt { get; private set; }

    /// <summary>The delay before the next attempt; each call counts one attempt.</summary>
    public TimeSpan Next() => Delay(_base, _max, Attempt++, _random.NextDouble());

    /// <summary>Starts again from the base delay (after a successful handshake).</summary>
    public void Reset() => Attempt = 0;

    /// <summary>The delay of attempt <paramref name="attempt"/> for a jitter in [0, 1]: 0 gives half, 1 the full delay.</summary>
    public static TimeSpan Delay(TimeSpan baseDelay, TimeSpan maxDelay, int attempt, double jitter)
    {
        // 2^30 × any sane base is far beyond any cap, and keeps the power finite.
        double full = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, 30)));
        return TimeSpan.FromMilliseconds(full * (0.5 + (Math.Clamp(jitter, 0, 1) / 2)));
    }
}
