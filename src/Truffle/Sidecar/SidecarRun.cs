using System.Threading.Channels;

namespace Truffle.Sidecar;

/// <summary>One sidecar process: its stdin queue, its kill switch and what became of it.</summary>
internal sealed class SidecarRun : IDisposable
{
    private readonly CancellationTokenSource _kill = new();
    private int _disposed;

    public Channel<byte[]> Commands { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Cancelling it kills the process (CliWrap's forceful cancellation).</summary>
    public CancellationToken Kill => _kill.Token;

    public int ProcessId { get; set; }

    /// <summary>Completes when the process has exited and the supervisor has reacted.</summary>
    public Task Exit { get; set; } = Task.CompletedTask;

    /// <summary>Set (under the supervisor's gate) once the process has exited.</summary>
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
