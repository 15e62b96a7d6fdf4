using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using CliWrap;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Truffle.Sidecar;

/// <summary>
/// Runs one <c>truffle-sidecar</c> process and drives it (SPEC §3): control commands as JSON lines on its stdin,
/// events from its stdout, logs from its stderr, and every network connection through a loopback bridge listener.
/// Disposing stops the node, closes stdin, waits for the process to exit and kills it if it does not.
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
public sealed partial class SidecarClient : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultDialTimeout = TimeSpan.FromSeconds(35); // the sidecar's own is 30 s

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _uncorrelated = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SidecarEvent>> _requests = new(StringComparer.Ordinal);
    private PendingReply? _pending;
    private BridgeListener? _bridge;
    private string[] _secrets = [];
    private int _started;
    private int _disposed;

    /// <summary>Creates a client for the sidecar found by <see cref="SidecarLocator.Find"/> from <paramref name="sidecarPath"/>.</summary>
    /// <param name="sidecarPath">The sidecar binary; see <see cref="SidecarLocator.Find"/>.</param>
    /// <param name="loggerFactory">Where the client and the sidecar's stderr log to.</param>
    /// <param name="timeProvider">The clock for restart delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="SidecarException">The sidecar binary was not found.</exception>
    public SidecarClient(string? sidecarPath = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        _path = SidecarLocator.Find(sidecarPath);
        _logger = (ILogger?)loggerFactory?.CreateLogger<SidecarClient>() ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
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

    /// <summary>How long disposal waits for the stop reply, and then for the exit, before it kills the process.</summary>
    internal TimeSpan ExitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The latest status the sidecar reported; null before the first.</summary>
    public SidecarStatus? Status { get; private set; }

    /// <summary>The sidecar's process id once started.</summary>
    internal int? ProcessId { get; private set; }

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
        _secrets = string.IsNullOrEmpty(options.AuthKey) ? [tokenHex] : [tokenHex, options.AuthKey];
        _bridge = new BridgeListener(token, _logger);
        _startCommand = SidecarProtocol.Start(options, _bridge.Port, tokenHex);
        _startTimeout = options.StartTimeout;

        ProcessRun run = Launch();
        SidecarEvent started = await RequestAsync(run, _startCommand, SidecarProtocol.EvtStarted, options.StartTimeout, cancellationToken)
            .ConfigureAwait(false);
        var status = SidecarProtocol.ParseStatus(started.Data);
        lock (_gate)
        {
            if (run.ExitError is { } exited)
            {
                throw exited; // it answered, then died before supervision began
            }

            run.Established = true;
            _supervised = true;
        }

        Status = status;
        return status;
    }

    /// <summary>All peers the node knows, online or not.</summary>
    public async Task<IReadOnlyList<SidecarPeer>> GetPeersAsync(CancellationToken cancellationToken = default)
    {
        var reply = await RequestAsync(null, SidecarProtocol.GetPeers(), SidecarProtocol.EvtPeers, CommandTimeout, cancellationToken).ConfigureAwait(false);
        return SidecarProtocol.ParsePeers(reply.Data);
    }

    /// <summary>Asks the sidecar to report peer changes through <see cref="PeerChanged"/>.</summary>
    public ValueTask WatchPeersAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Send(SidecarProtocol.WatchPeers());
        _watchingPeers = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>Listens on a tailnet port; connections arrive through <see cref="AcceptAsync"/>.</summary>
    /// <returns>The port listened on.</returns>
    public async Task<int> ListenAsync(int port, CancellationToken cancellationToken = default)
    {
        var reply = await RequestAsync(null, SidecarProtocol.Listen(port), SidecarProtocol.EvtListening, CommandTimeout, cancellationToken).ConfigureAwait(false);
        int listening = reply.Data.TryGetProperty("port", out JsonElement p) && p.TryGetInt32(out int actual) ? actual : port;
        _listening[listening] = 0;
        return listening;
    }

    /// <summary>Stops listening on a tailnet port.</summary>
    public async Task UnlistenAsync(int port, CancellationToken cancellationToken = default)
    {
        _listening.TryRemove(port, out _);
        await RequestAsync(null, SidecarProtocol.Unlisten(port), SidecarProtocol.EvtUnlistened, CommandTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next connection a peer opened to one of our listeners, carrying the peer's identity.</summary>
    public async ValueTask<BridgeConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        var bridge = _bridge ?? throw new InvalidOperationException("The sidecar is not started.");
        try
        {
            return await bridge.Incoming.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new ObjectDisposedException(nameof(SidecarClient), e);
        }
    }

    /// <summary>Opens a connection to <paramref name="target"/> (a DNS name or address) on a tailnet port.</summary>
    /// <exception cref="SidecarException">The dial failed (<c>DIAL_ERROR</c>, ...) or timed out (<c>TIMEOUT</c>).</exception>
    public async Task<BridgeConnection> DialAsync(string target, int port, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        var bridge = _bridge ?? throw new InvalidOperationException("The sidecar is not started.");
        string requestId = Guid.NewGuid().ToString("N");
        Task<BridgeConnection> connected = bridge.ExpectDial(requestId);
        try
        {
            Send(SidecarProtocol.Dial(requestId, target, port));
            return await connected.WaitAsync(timeout ?? DefaultDialTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            var error = new SidecarException(SidecarException.TimeoutCode, $"Dial to {target}:{port} timed out.", e);
            await AbandonDialAsync(bridge, requestId, connected, error).ConfigureAwait(false);
            throw error;
        }
        catch (Exception e)
        {
            await AbandonDialAsync(bridge, requestId, connected, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Gives up a dial; a connection that won the race with the timeout is closed, not leaked.</summary>
    private static async ValueTask AbandonDialAsync(BridgeListener bridge, string requestId, Task<BridgeConnection> connected, Exception error)
    {
        bridge.FailDial(requestId, error);
        if (connected.IsCompletedSuccessfully)
        {
            await connected.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Who is at <paramref name="address"/> (<c>ip</c> or <c>ip:port</c>); null when nobody is known there.</summary>
    public async Task<SidecarIdentity?> WhoIsAsync(string address, CancellationToken cancellationToken = default)
    {
        string requestId = Guid.NewGuid().ToString("N");
        var reply = new TaskCompletionSource<SidecarEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[requestId] = reply;
        try
        {
            Send(SidecarProtocol.WhoIs(address, requestId));
            var result = await Await(reply.Task, CommandTimeout, "tsnet:whois", cancellationToken).ConfigureAwait(false);
            return result.Data.TryGetProperty("identity", out JsonElement identity) ? SidecarProtocol.ParseIdentity(identity) : null;
        }
        finally
        {
            _requests.TryRemove(requestId, out _);
        }
    }

    /// <summary>
    /// Stops the node (the process keeps running until the client is disposed) and ends supervision: a pending restart
    /// is cancelled, and a later exit of the process is reported but not restarted. Returns at once when the process
    /// has already exited.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await EndSupervisionAsync().ConfigureAwait(false);
        if (_run is { ExitError: not null })
        {
            return;
        }

        await RequestAsync(null, SidecarProtocol.Stop(), SidecarProtocol.EvtStopped, CommandTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await EndSupervisionAsync().ConfigureAwait(false);
        if (_run is { } run)
        {
            lock (_gate)
            {
                run.Retired = true;
            }

            if (run.ExitError is null)
            {
                try
                {
                    await RequestAsync(run, SidecarProtocol.Stop(), SidecarProtocol.EvtStopped, ExitTimeout, CancellationToken.None).ConfigureAwait(false);
                }
                catch (SidecarException)
                {
                    // Already gone or not answering: closing stdin and the kill below still end it.
                }
            }

            run.Commands.Writer.TryComplete(); // stdin EOF: the sidecar stops and exits 0
            try
            {
                await run.Exit.WaitAsync(ExitTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                SidecarLog.ProcessKilled(_logger);
                run.Terminate();
                await run.Exit.ConfigureAwait(false);
            }
        }

        if (_bridge is not null)
        {
            await _bridge.DisposeAsync().ConfigureAwait(false);
        }

        FailPending(new SidecarException(SidecarException.ProcessExitedCode, "The sidecar client was disposed."));
        _supervision.Dispose();
        _uncorrelated.Dispose();
    }
}
