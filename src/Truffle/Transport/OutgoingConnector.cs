using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>
/// Keeps one outgoing connection up: connects, hands the connection to <c>connected</c>, waits until it closes, waits
/// a backoff delay and connects again, until disposed. The delay grows with each failed attempt (base × 2ⁿ with
/// jitter, capped at <see cref="TransportOptions.ReconnectMaxDelay"/>) and starts over after a successful handshake.
/// A peer that belongs to another app (4001) is retried at the maximum delay only: it may be reinstalled.
/// </summary>
internal sealed class OutgoingConnector : IAsyncDisposable
{
    private readonly string _name;
    private readonly Func<CancellationToken, Task<IPeerConnection>> _connect;
    private readonly Action<IPeerConnection> _connected;
    private readonly TransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;
    private readonly Action<TimeSpan>? _waiting;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _disposed;

    /// <summary>Starts connecting at once.</summary>
    /// <param name="name">The peer, for logs.</param>
    /// <param name="connect">Opens one connection (dial, upgrade, hello); see <see cref="IPeerNetwork.ConnectAsync"/>.</param>
    /// <param name="connected">Receives each new connection, which it must <see cref="IPeerConnection.Start"/>; it must not block.</param>
    /// <param name="options">The reconnect delays.</param>
    /// <param name="timeProvider">The clock the delays run on.</param>
    /// <param name="logger">Where failures are logged: the first of a run as a warning, the rest at debug level.</param>
    /// <param name="random">The jitter source; null for a shared one.</param>
    /// <param name="waiting">
    /// Called when a reconnect delay has started (its timer already runs), before it is waited out; lets a test
    /// advance fake time without missing the timer. Given here rather than as an event so the first call cannot be
    /// missed by a late subscription.
    /// </param>
    public OutgoingConnector(
        string name,
        Func<CancellationToken, Task<IPeerConnection>> connect,
        Action<IPeerConnection> connected,
        TransportOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        Random? random = null,
        Action<TimeSpan>? waiting = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(connected);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _name = name;
        _connect = connect;
        _connected = connected;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _waiting = waiting;
        _backoff = new Backoff(options.ReconnectBaseDelay, options.ReconnectMaxDelay, random ?? Random.Shared);

        // Started on the caller's thread, not the thread pool: the first dial begins at once and, over the
        // simulated network, every step of the loop runs on the simulation's thread, in its order.
        _loop = RunAsync();
    }

    /// <summary>Stops reconnecting, disposes the live connection and waits for the loop to end. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken stopping = _stopping.Token;
        bool reportedAppMismatch = false;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                IPeerConnection connection;
                try
                {
                    connection = await _connect(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // Any failure to connect is retried; the loop must outlive it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    TimeSpan delay = OnConnectFailed(ex, ref reportedAppMismatch);
                    await WaitAsync(delay, stopping).ConfigureAwait(false);
                    continue;
                }

                _backoff.Reset();
                reportedAppMismatch = false;
                await RunConnectionAsync(connection, stopping).ConfigureAwait(false);
                await WaitAsync(_backoff.Next(), stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed.
        }
#pragma warning disable CA1031 // A bug here must be logged, not left as an unobserved task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TransportLog.ConnectorFailed(_logger, ex, _name);
        }
    }

    private async Task RunConnectionAsync(IPeerConnection connection, CancellationToken stopping)
    {
        try
        {
            _connected(connection);
        }
#pragma warning disable CA1031 // The mesh's failure to take the connection closes it; the loop reconnects.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TransportLog.ConnectedCallbackFailed(_logger, ex, _name);
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await connection.Completion.WaitAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            if (stopping.IsCancellationRequested)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private TimeSpan OnConnectFailed(Exception exception, ref bool reportedAppMismatch)
    {
        _options.Metrics.ConnectFailures.Add(1);
        if (exception is HandshakeException { CloseCode: CloseCodes.AppMismatch })
        {
            if (!reportedAppMismatch)
            {
                reportedAppMismatch = true;
                TransportLog.AppMismatch(_logger, _name, _options.ReconnectMaxDelay);
            }

            return _options.ReconnectMaxDelay;
        }

        if (_backoff.Attempt == 0)
        {
            TransportLog.ConnectFailed(_logger, _name, exception.Message);
        }
        else
        {
            TransportLog.ConnectFailedAgain(_logger, _name, _backoff.Attempt + 1, exception.Message);
        }

        return _backoff.Next();
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stopping)
    {
        // The timer starts before the callback, so a test that advances fake time in it cannot miss the timer.
        Task wait = ClockDelay.WaitAsync(_time, delay, stopping);
        _waiting?.Invoke(delay);
        await wait.ConfigureAwait(false);
    }
}
