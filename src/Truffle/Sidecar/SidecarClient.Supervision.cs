using System.Collections.Concurrent;
using System.ComponentModel;
using System.Threading.Channels;
using CliWrap;
using Truffle.Wire;

namespace Truffle.Sidecar;

/// <summary>The process lifetime: launching the sidecar, noticing that it exited, and starting it again.</summary>
public sealed partial class SidecarClient
{
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _supervision = new();
    private readonly ConcurrentDictionary<int, byte> _listening = new();
    private volatile ProcessRun? _run;
    private Task? _supervisor;
    private bool _supervisionEnded;
    private bool _supervised;
    private volatile bool _restarting;
    private volatile bool _watchingPeers;
    private byte[]? _startCommand;
    private TimeSpan _startTimeout;

    /// <summary>
    /// Raised when the sidecar process exited without being asked to, once the node had started: before the restart
    /// delay begins, after pending requests were failed.
    /// </summary>
    public event EventHandler<SidecarExit>? Exited;

    /// <summary>Raised when a restarted sidecar's node is running again, listeners and peer watch restored.</summary>
    public event EventHandler<SidecarStatus>? Restarted;

    /// <summary>The longest event line accepted from the sidecar; longer ones are dropped as protocol errors.</summary>
    internal int MaxLineLength { get; init; } = LineReader.MaxProtocolLine;

    /// <summary>The delay before restart attempt <paramref name="attempt"/>: <paramref name="jitter"/> (0 to 1) picks a
    /// point between half and all of 100 ms × 2^attempt, capped at 10 s.</summary>
    internal static TimeSpan RestartDelay(int attempt, double jitter)
    {
        double full = Math.Min(MaxRestartDelay.TotalMilliseconds, FirstRestartDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(full * (0.5 + (Math.Clamp(jitter, 0, 1) / 2)));
    }

    /// <summary>Starts a sidecar process and makes it the current one.</summary>
    private ProcessRun Launch()
    {
        var run = new ProcessRun();
        Command command = Cli.Wrap(_path)
            .WithStandardInputPipe(PipeSource.Create((stdin, ct) => WriteCommandsAsync(run, stdin, ct)))
            .WithStandardOutputPipe(PipeTarget.Create(ReadEventsAsync))
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

    private async Task ObserveExitAsync(ProcessRun run, Task<CommandResult> running)
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
            // Killed by this client.
        }
#pragma warning disable CA1031 // the exit observer must never fault
        catch (Exception e)
#pragma warning restore CA1031
        {
            TruffleMetrics.InternalError("sidecar_exit");
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
            report = current && !run.Retired && _supervised && Volatile.Read(ref _disposed) == 0;
            willRestart = report && !_supervisionEnded;
            if (willRestart && run.Established)
            {
                _restarting = true;
            }
        }

        run.Commands.Writer.TryComplete();
        if (current)
        {
            FailPending(error); // an older process's late exit must not fail the requests of its successor
        }

        if (report)
        {
            SidecarLog.ProcessExitedUnexpectedly(_logger, run.ProcessId, exitCode, willRestart);
            Raise(() => Exited?.Invoke(this, new SidecarExit(exitCode, willRestart)));
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
                ProcessRun? run = null;
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

                    TruffleMetrics.SidecarRestarts.Add(1);
                    SidecarStatus status = await RestartNodeAsync(run, cancellationToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        if (_supervisionEnded)
                        {
                            return; // DisposeAsync ends the process
                        }

                        if (run.ExitError is { } exited)
                        {
                            throw exited;
                        }

                        run.Established = true;
                        _restarting = false;
                    }

                    Status = status;
                    SidecarLog.Restarted(_logger, attempt, status.State);
                    Raise(() => Restarted?.Invoke(this, status));
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
            // StopAsync or DisposeAsync.
        }
#pragma warning disable CA1031 // supervision runs unobserved until StopAsync or DisposeAsync: it must never fault
        catch (Exception e)
#pragma warning restore CA1031
        {
            TruffleMetrics.InternalError("sidecar_supervision");
            SidecarLog.SupervisionFailed(_logger, e);
        }
        finally
        {
            _restarting = false;
        }
    }

    /// <summary>Sends the last start again, then the listens and the peer watch.</summary>
    private async Task<SidecarStatus> RestartNodeAsync(ProcessRun run, CancellationToken cancellationToken)
    {
        SidecarEvent started = await RequestAsync(run, _startCommand!, SidecarProtocol.EvtStarted, _startTimeout, cancellationToken)
            .ConfigureAwait(false);
        foreach (int port in _listening.Keys)
        {
            try
            {
                await RequestAsync(run, SidecarProtocol.Listen(port), SidecarProtocol.EvtListening, CommandTimeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (SidecarException e) when (e.Code != SidecarException.ProcessExitedCode && e.Code != SidecarException.TimeoutCode)
            {
                TruffleMetrics.InternalError("sidecar_relisten");
                SidecarLog.RelistenFailed(_logger, port, e.Message);
            }
        }

        if (_watchingPeers)
        {
            SendTo(run, SidecarProtocol.WatchPeers());
        }

        return SidecarProtocol.ParseStatus(started.Data);
    }

    /// <summary>No restart from now on; waits for a restart under way to give up.</summary>
    private async Task EndSupervisionAsync()
    {
        Task? supervisor;
        lock (_gate)
        {
            _supervisionEnded = true;
            supervisor = _supervisor;
        }

        await _supervision.CancelAsync().ConfigureAwait(false);
        if (supervisor is not null)
        {
            await supervisor.ConfigureAwait(false);
        }
    }

    /// <summary>One sidecar process: its stdin queue, its kill switch and what became of it.</summary>
    private sealed class ProcessRun : IDisposable
    {
        private readonly CancellationTokenSource _kill = new();
        private int _disposed;

        public Channel<byte[]> Commands { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

        /// <summary>Cancelling it kills the process (CliWrap's forceful cancellation).</summary>
        public CancellationToken Kill => _kill.Token;

        public int ProcessId { get; set; }

        /// <summary>Completes when the process has exited and the client has reacted.</summary>
        public Task Exit { get; set; } = Task.CompletedTask;

        /// <summary>Set (under the gate) once the process has exited.</summary>
        public SidecarException? ExitError { get; set; }

        /// <summary>The node reached running on this process, so an exit is worth a restart.</summary>
        public bool Established { get; set; }

        /// <summary>The client itself is ending this process: its exit is expected.</summary>
        public bool Retired { get; set; }

        public void Terminate()
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                try
                {
                    _kill.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Exited meanwhile.
                }
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _kill.Dispose();
            }
        }
    }
}
