using System.Collections.Concurrent;
using System.ComponentModel;
using CliWrap;
using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Sidecar;

/// <summary>
/// The process lifetime: launching the sidecar, noticing that it exited, and starting it again with the same start,
/// listens and peer watch. See <see cref="SidecarClient"/> for the rules it follows.
/// </summary>
internal sealed class SidecarSupervisor : IDisposable
{
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(10);

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly SidecarChannel _channel;
    private readonly SidecarSupervisorEvents _events;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _supervision = new();
    private readonly ConcurrentDictionary<int, byte> _listening = new();
    private volatile SidecarRun? _run;
    private Task? _supervisor;
    private bool _supervisionEnded;
    private bool _supervised;
    private bool _disposing;
    private volatile bool _restarting;
    private volatile bool _watchingPeers;
    private byte[]? _startCommand;
    private TimeSpan _startTimeout;
    private string[] _secrets = [];

    /// <param name="path">The sidecar binary.</param>
    /// <param name="logger">Where the supervisor and the sidecar's stderr log to.</param>
    /// <param name="time">The clock for restart delays.</param>
    /// <param name="channel">Carries the commands and events of every process launched.</param>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter.</param>
    /// <param name="events">What the owner does when a process exits or a restart succeeds.</param>
    public SidecarSupervisor(string path, ILogger logger, TimeProvider time, SidecarChannel channel, TruffleMetrics metrics, SidecarSupervisorEvents events)
    {
        _path = path;
        _logger = logger;
        _time = time;
        _channel = channel;
        _metrics = metrics;
        _events = events;
    }

    /// <summary>The current process's id once one was started.</summary>
    public int? ProcessId { get; private set; }

    /// <summary>True when the current process has exited (and no other replaced it yet).</summary>
    public bool HasExited => _run is { ExitError: not null };

    /// <summary>The delay before restart attempt <paramref name="attempt"/>: <paramref name="jitter"/> (0 to 1) picks a
    /// point between half and all of 100 ms × 2^attempt, capped at 10 s.</summary>
    public static TimeSpan RestartDelay(int attempt, double jitter)
    {
        double full = Math.Min(MaxRestartDelay.TotalMilliseconds, FirstRestartDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(full * (0.5 + (Math.Clamp(jitter, 0, 1) / 2)));
    }

    /// <summary>The process commands go to; throws when there is none or it is being restarted.</summary>
    public SidecarRun Current()
    {
        if (_restarting)
        {
            throw new SidecarException(SidecarException.ProcessExitedCode, "The sidecar process exited and is being restarted.");
        }

        return _run ?? throw new SidecarException(SidecarException.ProcessExitedCode, "The sidecar is not running.");
    }

    /// <summary>
    /// Launches the first process, sends it <paramref name="startCommand"/> and waits until the node runs; from then on
    /// an unexpected exit is restarted. <paramref name="secrets"/> are masked in the sidecar's stderr.
    /// </summary>
    public async Task<SidecarStatus> StartAsync(byte[] startCommand, string[] secrets, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _startCommand = startCommand;
        _startTimeout = timeout;
        _secrets = secrets;
        SidecarRun run = Launch();
        SidecarEvent started = await _channel.RequestAsync(run, startCommand, SidecarProtocol.EvtStarted, timeout, cancellationToken)
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

        return status;
    }

    /// <summary>A restarted process listens on <paramref name="port"/> again.</summary>
    public void RememberListen(int port) => _listening[port] = 0;

    /// <summary>A restarted process no longer listens on <paramref name="port"/>.</summary>
    public void ForgetListen(int port) => _listening.TryRemove(port, out _);

    /// <summary>A restarted process watches peers again.</summary>
    public void RememberPeerWatch() => _watchingPeers = true;

    /// <summary>
    /// No restart from now on; waits for a restart under way to give up. When <paramref name="disposing"/>, a later
    /// exit is not reported either.
    /// </summary>
    public async Task EndAsync(bool disposing)
    {
        Task? supervisor;
        lock (_gate)
        {
            _supervisionEnded = true;
            _disposing |= disposing;
            supervisor = _supervisor;
        }

        await _supervision.CancelAsync().ConfigureAwait(false);
        if (supervisor is not null)
        {
            await supervisor.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends the current process after <see cref="EndAsync"/>: asks the node to stop, closes stdin, waits
    /// <paramref name="exitTimeout"/> for each, and kills the process if it is still there.
    /// </summary>
    public async Task StopProcessAsync(TimeSpan exitTimeout)
    {
        if (_run is not { } run)
        {
            return;
        }

        lock (_gate)
        {
            run.Retired = true;
        }

        if (run.ExitError is null)
        {
            try
            {
                await _channel.RequestAsync(run, SidecarProtocol.Stop(), SidecarProtocol.EvtStopped, exitTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (SidecarException)
            {
                // Already gone or not answering: closing stdin and the kill below still end it.
            }
        }

        run.Commands.Writer.TryComplete(); // stdin EOF: the sidecar stops and exits 0
        try
        {
            await run.Exit.WaitAsync(exitTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            SidecarLog.ProcessKilled(_logger);
            run.Terminate();
            await run.Exit.ConfigureAwait(false);
        }
    }

    public void Dispose() => _supervision.Dispose();

    /// <summary>Starts a sidecar process and makes it the current one.</summary>
    private SidecarRun Launch()
    {
        var run = new SidecarRun();
        Command command = Cli.Wrap(_path)
            .WithStandardInputPipe(PipeSource.Create((stdin, ct) => SidecarChannel.WriteCommandsAsync(run, stdin, ct)))
            .WithStandardOutputPipe(PipeTarget.Create(_channel.ReadEventsAsync))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(OnStandardError))
            .WithValidation(CommandResultValidation.None);
        try
        {
            var running = command.ExecuteAsync(run.Kill);
            run.ProcessId = running.ProcessId;
            lock (_gate)
            {
                _run = run;
                ProcessId = running.ProcessId;
            }

            SidecarLog.ProcessStarted(_logger, running.ProcessId, _path);
            run.Exit = ObserveExitAsync(run, running.Task);
            return run;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            run.Dispose();
            throw new SidecarException(SidecarException.ProcessExitedCode, $"Could not start the sidecar at {_path}: {e.Message}", e);
        }
    }

    private async Task ObserveExitAsync(SidecarRun run, Task<CommandResult> running)
    {
        int exitCode = -1;
        try
        {
            CommandResult result = await running.ConfigureAwait(false);
            exitCode = result.ExitCode;
            SidecarLog.ProcessExited(_logger, exitCode);
        }
        catch (OperationCanceledException)
        {
            // Killed by this supervisor.
        }
#pragma warning disable CA1031 // the exit observer must never fault
        catch (Exception e)
#pragma warning restore CA1031
        {
            _metrics.InternalError("sidecar_exit");
            SidecarLog.ProcessFailed(_logger, e);
        }

        var error = new SidecarException(
            SidecarException.ProcessExitedCode,
            exitCode >= 0 ? $"The sidecar process exited with code {exitCode}." : "The sidecar process exited.");
        bool current, report, willRestart;
        lock (_gate)
        {
            run.ExitError = error;
            current = ReferenceEquals(_run, run);
            report = current && !run.Retired && _supervised && !_disposing;
            willRestart = report && !_supervisionEnded;
            if (willRestart && run.Established)
            {
                _restarting = true;
            }
        }

        run.Commands.Writer.TryComplete();
        if (current)
        {
            _events.FailPending(error); // an older process's late exit must not fail the requests of its successor
        }

        if (report)
        {
            SidecarLog.ProcessExitedUnexpectedly(_logger, run.ProcessId, exitCode, willRestart);
            _events.Exited(new SidecarExit(exitCode, willRestart));
        }

        if (willRestart && run.Established)
        {
            lock (_gate)
            {
                if (_supervisionEnded)
                {
                    _restarting = false;
                }
                else
                {
                    _supervisor = SuperviseAsync(_supervision.Token);
                }
            }
        }

        run.Dispose();
    }

    /// <summary>Starts the sidecar again until a node is running, or supervision ends. Never throws.</summary>
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        await Task.Yield(); // run outside the caller's lock
        int attempt = 0;
        try
        {
            while (true)
            {
                SidecarRun? run = null;
                try
                {
                    await Task.Delay(RestartDelay(attempt, Random.Shared.NextDouble()), _time, cancellationToken).ConfigureAwait(false);
                    attempt++;
                    lock (_gate)
                    {
                        if (_supervisionEnded)
                        {
                            return;
                        }

                        run = Launch();
                    }

                    _metrics.SidecarRestarts.Add(1);
                    SidecarStatus status = await RestartNodeAsync(run, cancellationToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        if (_supervisionEnded)
                        {
                            return; // the owner's disposal ends the process
                        }

                        if (run.ExitError is { } exited)
                        {
                            throw exited;
                        }

                        run.Established = true;
                        _restarting = false;
                    }

                    SidecarLog.Restarted(_logger, attempt, status.State);
                    _events.Restarted(status);
                    return;
                }
                catch (SidecarException e)
                {
                    SidecarLog.RestartFailed(_logger, attempt, e.Message);
                    if (run is not null)
                    {
                        lock (_gate)
                        {
                            run.Retired = true;
                        }

                        run.Terminate();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // EndAsync.
        }
#pragma warning disable CA1031 // supervision runs unobserved until EndAsync: it must never fault
        catch (Exception e)
#pragma warning restore CA1031
        {
            _metrics.InternalError("sidecar_supervision");
            SidecarLog.SupervisionFailed(_logger, e);
        }
        finally
        {
            _restarting = false;
        }
    }

    /// <summary>Sends the last start again, then the listens and the peer watch.</summary>
    private async Task<SidecarStatus> RestartNodeAsync(SidecarRun run, CancellationToken cancellationToken)
    {
        SidecarEvent started = await _channel.RequestAsync(run, _startCommand!, SidecarProtocol.EvtStarted, _startTimeout, cancellationToken)
            .ConfigureAwait(false);
        foreach (int port in _listening.Keys)
        {
            try
            {
                await _channel.RequestAsync(run, SidecarProtocol.Listen(port), SidecarProtocol.EvtListening, SidecarClient.CommandTimeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (SidecarException e) when (e.Code != SidecarException.ProcessExitedCode && e.Code != SidecarException.TimeoutCode)
            {
                _metrics.InternalError("sidecar_relisten");
                SidecarLog.RelistenFailed(_logger, port, e.Message);
            }
        }

        if (_watchingPeers)
        {
            SidecarChannel.SendTo(run, SidecarProtocol.WatchPeers());
        }

        return SidecarProtocol.ParseStatus(started.Data);
    }

    private void OnStandardError(string line)
    {
        foreach (string secret in _secrets)
        {
            line = line.Replace(secret, "***", StringComparison.Ordinal);
        }

        SidecarLog.SidecarOutput(_logger, line);
    }
}

/// <summary>What a <see cref="SidecarSupervisor"/>'s owner does when its process exits or comes back.</summary>
/// <param name="FailPending">Fails every request and dial waiting on the process that exited; called first.</param>
/// <param name="Exited">An unexpected exit, reported after the pending work was failed.</param>
/// <param name="Restarted">A restarted process's node is running, listens and peer watch restored.</param>
internal sealed record SidecarSupervisorEvents(
    Action<SidecarException> FailPending, Action<SidecarExit> Exited, Action<SidecarStatus> Restarted);
