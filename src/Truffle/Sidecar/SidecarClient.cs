using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Wire;

namespace Truffle.Sidecar;

/// <summary>
/// Runs one <c>truffle-sidecar</c> process and drives it (SPEC §3): control commands as JSON lines on its stdin,
/// events from its stdout, logs from its stderr, and every network connection through a loopback bridge listener.
/// Disposing stops the node, closes stdin, waits for the process to exit and kills it if it does not. It composes a
/// <see cref="SidecarSupervisor"/> (the process lifetime), a <see cref="SidecarChannel"/> (commands, events, replies)
/// and, once started, a <see cref="SidecarDialer"/> (the bridged connections).
/// </summary>
/// <remarks>
/// <para>
/// Supervision. Once <see cref="StartAsync"/> has succeeded, an exit of the process that the client did not cause
/// (anything but <see cref="StopAsync"/> and <see cref="DisposeAsync"/>) is reported through <see cref="Exited"/>,
/// logged as a warning and fails every pending request with a <see cref="SidecarException"/>
/// (<see cref="SidecarException.ProcessExitedCode"/>). The client then starts a new process after a delay, sends it
/// the same <c>tsnet:start</c> (same session token, same bridge listener), listens again on every port of
/// <see cref="ListenAsync"/> not given up with <see cref="UnlistenAsync"/>, resumes <see cref="WatchPeersAsync"/>
/// if it was on, and raises <see cref="Restarted"/> with the new status. While a restart is under way, commands fail
/// at once with <see cref="SidecarException.ProcessExitedCode"/>; connections already accepted or dialed are gone.
/// </para>
/// <para>
/// The n-th consecutive attempt (n = 0, 1, ...) waits a random time between half and all of 100 ms × 2ⁿ, capped at
/// 10 s, measured with the <see cref="TimeProvider"/> given to the constructor. Every attempt is counted in the
/// <c>truffle.sidecar.restarts</c> metric. Attempts go on until one reaches a running node, which resets n to 0,
/// or until <see cref="StopAsync"/> or <see cref="DisposeAsync"/>, which cancel a pending restart (and end supervision
/// for good). <see cref="StartAsync"/> itself does not restart anything: if the process exits before the first
/// start succeeded, <see cref="StartAsync"/> fails with the exit code in its message.
/// </para>
/// </remarks>
internal sealed class SidecarClient : IAsyncDisposable
{
    /// <summary>How long a control command waits for its reply.</summary>
    internal static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly SidecarChannel _channel;
    private readonly SidecarSupervisor _supervisor;
    private SidecarDialer? _dialer;
    private int _started;
    private int _disposed;

    /// <summary>Creates a client for the sidecar found by <see cref="SidecarLocator.Find"/> from <paramref name="sidecarPath"/>.</summary>
    /// <param name="sidecarPath">The sidecar binary; see <see cref="SidecarLocator.Find"/>.</param>
    /// <param name="loggerFactory">Where the client and the sidecar's stderr log to.</param>
    /// <param name="timeProvider">The clock for restart delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="SidecarException">The sidecar binary was not found.</exception>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter (the process-wide ones when null).</param>
    public SidecarClient(string? sidecarPath = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, TruffleMetrics? metrics = null)
    {
        string path = SidecarLocator.Find(sidecarPath);
        _logger = (ILogger?)loggerFactory?.CreateLogger<SidecarClient>() ?? NullLogger.Instance;
        _metrics = metrics ?? TruffleMetrics.Shared;
        _channel = new SidecarChannel(_logger, CurrentRun, Dispatch, _metrics);
        _supervisor = new SidecarSupervisor(
            path,
            _logger,
            timeProvider ?? TimeProvider.System,
            _channel,
            _metrics,
            new SidecarSupervisorEvents(FailPending, exit => Raise(() => Exited?.Invoke(this, exit)), OnRestarted));
    }

    /// <summary>
    /// Raised when an interactive login is needed, with the URL to open: once per URL, and again when the control
    /// server issues a new one (the old one expired, or the node must log in again after start).
    /// </summary>
    public event EventHandler<string>? AuthRequired;

    /// <summary>Raised when an administrator must approve this device.</summary>
    public event EventHandler? NeedsApproval;

    /// <summary>Raised for every peer change after <see cref="WatchPeersAsync"/>.</summary>
    public event EventHandler<SidecarPeerChange>? PeerChanged;

    /// <summary>
    /// Raised when the sidecar process exited without being asked to, once the node had started: before the restart
    /// delay begins, after pending requests were failed.
    /// </summary>
    public event EventHandler<SidecarExit>? Exited;

    /// <summary>Raised when a restarted sidecar's node is running again, listeners and peer watch restored.</summary>
    public event EventHandler<SidecarStatus>? Restarted;

    /// <summary>How long disposal waits for the stop reply, and then for the exit, before it kills the process.</summary>
    internal TimeSpan ExitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest event line accepted from the sidecar; longer ones are dropped as protocol errors.</summary>
    internal int MaxLineLength
    {
        get => _channel.MaxLineLength;
        init => _channel.MaxLineLength = value;
    }

    /// <summary>The latest status the sidecar reported; null before the first.</summary>
    public SidecarStatus? Status { get; private set; }

    /// <summary>The sidecar's process id once started.</summary>
    internal int? ProcessId => _supervisor.ProcessId;

    /// <summary>Starts the sidecar process and the node, and waits until the node is running.</summary>
    /// <exception cref="SidecarException">The process could not start, the sidecar answered <c>START_ERROR</c>, or
    /// <see cref="SidecarStartOptions.StartTimeout"/> passed.</exception>
    public async Task<SidecarStatus> StartAsync(SidecarStartOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("This sidecar client was already started.");
        }

        byte[] token = RandomNumberGenerator.GetBytes(BridgeHeader.TokenLength);
        string tokenHex = Convert.ToHexStringLower(token);
        string[] secrets = string.IsNullOrEmpty(options.AuthKey) ? [tokenHex] : [tokenHex, options.AuthKey];
        var bridge = new BridgeListener(token, _logger, _metrics);
        _dialer = new SidecarDialer(bridge, _channel);
        byte[] start = SidecarProtocol.Start(options, bridge.Port, tokenHex);
        SidecarStatus status = await _supervisor.StartAsync(start, secrets, options.StartTimeout, cancellationToken).ConfigureAwait(false);
        Status = status;
        return status;
    }

    /// <summary>All peers the node knows, online or not.</summary>
    public async Task<IReadOnlyList<SidecarPeer>> GetPeersAsync(CancellationToken cancellationToken = default)
    {
        var reply = await _channel.RequestAsync(null, SidecarProtocol.GetPeers(), SidecarProtocol.EvtPeers, CommandTimeout, cancellationToken).ConfigureAwait(false);
        return SidecarProtocol.ParsePeers(reply.Data);
    }

    /// <summary>Asks the sidecar to report peer changes through <see cref="PeerChanged"/>.</summary>
    public ValueTask WatchPeersAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _channel.Send(SidecarProtocol.WatchPeers());
        _supervisor.RememberPeerWatch();
        return ValueTask.CompletedTask;
    }

    /// <summary>Listens on a tailnet port; connections arrive through <see cref="AcceptAsync"/>.</summary>
    /// <returns>The port listened on.</returns>
    public async Task<int> ListenAsync(int port, CancellationToken cancellationToken = default)
    {
        var reply = await _channel.RequestAsync(null, SidecarProtocol.Listen(port), SidecarProtocol.EvtListening, CommandTimeout, cancellationToken).ConfigureAwait(false);
        int listening = reply.Data.TryGetProperty("port", out JsonElement p) && p.TryGetInt32(out int actual) ? actual : port;
        _supervisor.RememberListen(listening);
        return listening;
    }

    /// <summary>Stops listening on a tailnet port.</summary>
    public async Task UnlistenAsync(int port, CancellationToken cancellationToken = default)
    {
        _supervisor.ForgetListen(port);
        await _channel.RequestAsync(null, SidecarProtocol.Unlisten(port), SidecarProtocol.EvtUnlistened, CommandTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next connection a peer opened to one of our listeners, carrying the peer's identity.</summary>
    public ValueTask<BridgeConnection> AcceptAsync(CancellationToken cancellationToken = default) =>
        Dialer.AcceptAsync(cancellationToken);

    /// <summary>Opens a connection to <paramref name="target"/> (a DNS name or address) on a tailnet port.</summary>
    /// <exception cref="SidecarException">The dial failed (<c>DIAL_ERROR</c>, ...) or timed out (<c>TIMEOUT</c>).</exception>
    public Task<BridgeConnection> DialAsync(string target, int port, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        return Dialer.DialAsync(target, port, timeout, cancellationToken);
    }

    /// <summary>Who is at <paramref name="address"/> (<c>ip</c> or <c>ip:port</c>); null when nobody is known there.</summary>
    public async Task<SidecarIdentity?> WhoIsAsync(string address, CancellationToken cancellationToken = default)
    {
        string requestId = Guid.NewGuid().ToString("N");
        var result = await _channel.RequestByIdAsync(requestId, SidecarProtocol.WhoIs(address, requestId), "tsnet:whois", CommandTimeout, cancellationToken)
            .ConfigureAwait(false);
        return result.Data.TryGetProperty("identity", out JsonElement identity) ? SidecarProtocol.ParseIdentity(identity) : null;
    }

    /// <summary>
    /// Stops the node (the process keeps running until the client is disposed) and ends supervision: a pending restart
    /// is cancelled, and a later exit of the process is reported but not restarted. Returns at once when the process
    /// has already exited.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _supervisor.EndAsync(disposing: false).ConfigureAwait(false);
        if (_supervisor.HasExited)
        {
            return;
        }

        await _channel.RequestAsync(null, SidecarProtocol.Stop(), SidecarProtocol.EvtStopped, CommandTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _supervisor.EndAsync(disposing: true).ConfigureAwait(false);
        await _supervisor.StopProcessAsync(ExitTimeout).ConfigureAwait(false);
        if (_dialer is not null)
        {
            await _dialer.DisposeAsync().ConfigureAwait(false);
        }

        FailPending(new SidecarException(SidecarException.ProcessExitedCode, "The sidecar client was disposed."));
        _supervisor.Dispose();
        _channel.Dispose();
    }

    /// <summary>The process commands go to; the supervisor refuses while a restart is under way.</summary>
    private SidecarRun CurrentRun() => _supervisor.Current();

    private SidecarDialer Dialer => _dialer ?? throw new InvalidOperationException("The sidecar is not started.");

    /// <summary>Handles an event read from the sidecar: notifications become events, replies complete requests.</summary>
    private void Dispatch(SidecarEvent e)
    {
        string? requestId = e.RequestId;
        switch (e.Name)
        {
            case SidecarProtocol.EvtStatus:
                Status = SidecarProtocol.ParseStatus(e.Data);
                return;
            case SidecarProtocol.EvtAuthRequired:
                Raise(() => AuthRequired?.Invoke(this, SidecarProtocol.String(e.Data, "authUrl")));
                return;
            case SidecarProtocol.EvtNeedsApproval:
                Raise(() => NeedsApproval?.Invoke(this, EventArgs.Empty));
                return;
            case SidecarProtocol.EvtPeerChanged:
                Raise(() => PeerChanged?.Invoke(this, SidecarProtocol.ParsePeerChange(e.Data)));
                return;
            case SidecarProtocol.EvtDialResult:
                if (requestId is not null && e.Data.TryGetProperty("success", out JsonElement ok) && ok.ValueKind == JsonValueKind.False)
                {
                    _dialer?.Fail(requestId, new SidecarException("DIAL_ERROR", "Dial failed: " + SidecarProtocol.String(e.Data, "error")));
                }

                return;
            case SidecarProtocol.EvtError:
                var error = SidecarProtocol.ToException(e);
                if (_channel.TryFail(requestId, error))
                {
                    return;
                }

                if (requestId is not null)
                {
                    _dialer?.Fail(requestId, error);
                }
                else
                {
                    SidecarLog.UncorrelatedError(_logger, error.Code, error.Message);
                }

                return;
        }

        _channel.TryComplete(e);
    }

    private void OnRestarted(SidecarStatus status)
    {
        Status = status;
        Raise(() => Restarted?.Invoke(this, status));
    }

    /// <summary>Fails the request in flight, every request with an id and every pending dial.</summary>
    private void FailPending(SidecarException error)
    {
        _channel.FailAll(error);
        _dialer?.FailAll(error);
    }

    private void Raise(Action raise)
    {
        try
        {
            raise();
        }
#pragma warning disable CA1031 // a subscriber's exception must not stop the event loop
        catch (Exception e)
#pragma warning restore CA1031
        {
            _metrics.HandlerErrors.Add(1, new KeyValuePair<string, object?>("namespace", "sidecar"));
            SidecarLog.HandlerFailed(_logger, e);
        }
    }
}
