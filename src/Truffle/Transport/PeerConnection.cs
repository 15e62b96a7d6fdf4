using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Truffle.Sidecar;
using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>
/// One WebSocket connection to another node, after a successful upgrade and hello exchange (SPEC §4). Open it with
/// <see cref="AcceptAsync"/> or <see cref="ConnectAsync"/>, then <see cref="Start"/> it with a handler.
/// </summary>
/// <remarks>
/// <para>
/// Reading: one read loop per connection receives each WebSocket message into a pooled buffer (never beyond
/// <see cref="TransportOptions.MaxMessageBytes"/>) and hands the envelopes in it to
/// <see cref="IConnectionHandler.OnEnvelope"/>, in order, one at a time, on that loop. A message that is too large
/// (1009), text (1003) or not well-formed MessagePack (1007) closes the connection; an invalid envelope is dropped and
/// counted and the loop goes on. Nothing throws out of the loop. When it ends, for whatever reason, everything is
/// released and <see cref="IConnectionHandler.OnClosed"/> runs once, then <see cref="Completion"/> completes.
/// </para>
/// <para>
/// Writing: senders serialize envelopes into the connection's queue; one writer sends everything queued as one
/// binary WebSocket message of at most <see cref="TransportOptions.MaxBatchBytes"/> (more messages when more is
/// queued; an envelope is never split). Overflow policy, with <see cref="TransportOptions.SendQueueBytes"/> as the
/// bound on bytes queued and not yet sent: <see cref="SendAsync"/> waits while the queue is over the bound;
/// <see cref="TrySend"/> never waits and returns false instead (the caller counts its drop);
/// <see cref="SendOverBound"/> queues even over the bound, for traffic that must neither wait nor be lost, up to
/// <see cref="TransportOptions.MaxQueuedBytes"/>.
/// </para>
/// <para>
/// Bounds (see PeerConnection.Watchdog.cs): a peer that keeps the queue over the bound for
/// <see cref="TransportOptions.SlowConsumerTimeout"/>, or fills it to <see cref="TransportOptions.MaxQueuedBytes"/>, is
/// a slow consumer (4005); one from which nothing arrives for <see cref="TransportOptions.KeepAliveTimeout"/> while
/// this side reads is dead (4006). Either is cut at once.
/// </para>
/// </remarks>
internal sealed partial class PeerConnection : IPeerConnection
{
    // Bounds each step of a graceful close, so a peer that stopped reading cannot hold a close up.
    private static readonly TimeSpan CloseStepTimeout = TimeSpan.FromSeconds(1);

    private readonly WebSocket _socket;
    private readonly WatchedStream _stream;
    private readonly BridgeConnection _bridge;
    private readonly IDisposable? _invoker;
    private readonly TransportOptions _options;
    private readonly EnvelopeLimits _limits;
    private readonly ILogger _logger;
    private readonly SendQueue _queue;

    // Never disposed: DisposeAsync may cancel it after the read loop has torn everything else down.
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConnectionHandler? _handler;
    private Task _writeLoop = Task.CompletedTask;
    private int _started;
    private int _closing;
    private int _closeSent;
    private int _disposed;
    private int _tornDown;
    private int? _localCloseCode;
    private string? _localCloseReason;

    // The reader, the room and the watchdog (PeerConnection.Reader.cs, .Room.cs, .Watchdog.cs).
    private readonly Utf8StringCache _strings = EnvelopeCodec.NewStringCache();
    private long _handlerErrors;
    private Task? _resumeReading;
    private ITimer? _watchdog;

    private PeerConnection(
        WebSocket socket, WatchedStream stream, BridgeConnection bridge, IDisposable? invoker, Hello remote, bool isOutgoing, TransportOptions options,
        ILogger logger)
    {
        _socket = socket;
        _stream = stream;
        _bridge = bridge;
        _invoker = invoker;
        _options = options;
        _limits = new EnvelopeLimits(options.MaxNameBytes, options.MaxEnvelopeBytes);
        _logger = logger;
        _queue = new SendQueue(options.SendQueueBytes, options.MaxQueuedBytes, options.Time);
        Remote = remote;
        IsOutgoing = isOutgoing;
    }

    /// <summary>The peer's hello, checked against the app id and the network identity.</summary>
    public Hello Remote { get; }

    /// <inheritdoc/>
    string IPeerLink.DeviceId => Remote.DeviceId;

    /// <summary>True when this side dialled.</summary>
    public bool IsOutgoing { get; }

    /// <summary>Who the sidecar says the peer is (incoming connections, when it could tell); null for outgoing ones.</summary>
    public SidecarIdentity? RemoteIdentity => _bridge.RemoteIdentity;

    /// <summary>
    /// Completes when the connection has closed and <see cref="IConnectionHandler.OnClosed"/> has run (or, when it
    /// was never started, when it was closed or disposed). Never faults.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>Counters of this connection, for tests and diagnostics.</summary>
    internal ConnectionStats Stats { get; } = new();

    /// <summary>Starts the read and write loops; envelopes go to <paramref name="handler"/>. Call once.</summary>
    /// <exception cref="InvalidOperationException">Already started, or closed before it started.</exception>
    public void Start(IConnectionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The connection was started already.");
        }

        if (Volatile.Read(ref _closing) != 0)
        {
            throw new InvalidOperationException("The connection was closed before it started.");
        }

        _handler = handler;
        StartWatchdog();
        _writeLoop = Task.Run(WriteLoopAsync);
        _ = Task.Run(ReadLoopAsync);
    }

    /// <summary>
    /// Sends what is queued (waiting at most a second), then closes with <paramref name="code"/> and waits briefly
    /// for the peer's close before releasing everything. Idempotent; never throws.
    /// </summary>
    public async ValueTask CloseAsync(int code, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            await Completion.ConfigureAwait(false);
            return;
        }

        if (Volatile.Read(ref _started) == 0 && Interlocked.Exchange(ref _started, 1) == 0)
        {
            await SendCloseAsync(code, reason).ConfigureAwait(false);
            await TearDownAsync().ConfigureAwait(false);
            _completion.TrySetResult();
            return;
        }

        _queue.StopAccepting();
        await _queue.WaitDrainedAsync(CloseStepTimeout).ConfigureAwait(false);
        _queue.Close();
        await WaitQuietlyAsync(_writeLoop).ConfigureAwait(false);
        await SendCloseAsync(code, reason).ConfigureAwait(false);
        if (!await WaitQuietlyAsync(Completion).ConfigureAwait(false))
        {
            // The peer did not answer our close frame; the read loop ends as soon as the socket is aborted.
            Abort();
        }

        await Completion.ConfigureAwait(false);
    }

    /// <summary>Aborts the connection unless it is closed already, and waits until it has ended. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await Completion.ConfigureAwait(false);
            return;
        }

        Interlocked.Exchange(ref _closing, 1);
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            await TearDownAsync().ConfigureAwait(false);
            _completion.TrySetResult();
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _queue.Close();
        Abort();
        await Completion.ConfigureAwait(false);
    }

    /// <summary>Sends a close frame once, whoever asks first; records the code so both ends report the same.</summary>
    private async Task SendCloseAsync(int code, string reason)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0)
        {
            return;
        }

        _localCloseCode = code;
        _localCloseReason = reason;
        try
        {
            using var timeout = new CancellationTokenSource(CloseStepTimeout);
            await _socket.CloseOutputAsync((WebSocketCloseStatus)code, HelloExchange.Truncate(reason), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            Abort();
        }
    }

    /// <summary>Ends the connection at once: every pending receive and send fails, which ends both loops.</summary>
    private void Abort()
    {
        _socket.Abort();
        _bridge.Abort();
    }

    private async Task TearDownAsync()
    {
        if (Interlocked.Exchange(ref _tornDown, 1) != 0)
        {
            return;
        }

        _queue.Close();
        _watchdog?.Dispose();
        await WaitQuietlyAsync(_writeLoop).ConfigureAwait(false);
        _socket.Dispose();
        _invoker?.Dispose();
        try
        {
            await _bridge.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Already broken; there is nothing left to release.
        }

        _queue.Dispose();
    }

    /// <summary>Waits for a task that never faults for at most <see cref="CloseStepTimeout"/>; false on timeout.</summary>
    private static async Task<bool> WaitQuietlyAsync(Task task)
    {
        try
        {
            await task.WaitAsync(CloseStepTimeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
