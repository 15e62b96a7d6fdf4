using System.Diagnostics;
using System.Reflection;

namespace Truffle.Benchmarks.Mesh;

/// <summary>
/// One tests/Truffle.TestHost process (a node with its own sidecar): what its output lines said (device id, role,
/// devices online, notes received), a task that completes at its next line, and its memory with its sidecar's.
/// </summary>
internal sealed class TestHostProcess
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly HashSet<string> _online = new(StringComparer.Ordinal);
    private TaskCompletionSource _line = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _notes;

    private TestHostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string DeviceId { get; private set; } = "";

    public string? Primary { get; private set; }

    public int Id => _process.Id;

    /// <summary>How many devices the node reports online now.</summary>
    public int Online
    {
        get
        {
            lock (_online)
            {
                return _online.Count;
            }
        }
    }

    /// <summary>Notes (broadcasts and sends of the probe namespace) received so far.</summary>
    public int Notes => Volatile.Read(ref _notes);

    public static TestHostProcess Start(string app, string name, string state, string registry)
    {
        string path = typeof(TestHostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestHost").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { path, "--app", app, "--name", name, "--state", state, "--loopback", registry })
        {
            start.ArgumentList.Add(argument);
        }

        return new TestHostProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    public Task NextLineAsync() => Volatile.Read(ref _line).Task;

    /// <summary>Sends a command line to the host (broadcast TEXT, send DEVICE TEXT, set TEXT, ...).</summary>
    public Task CommandAsync(string line) => _process.StandardInput.WriteLineAsync(line);

    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>
    /// Resident memory (VmRSS) of the host and of its child processes (its sidecar), in KiB, from /proc; zeros where
    /// /proc is not there.
    /// </summary>
    public (long Host, long Sidecar) ResidentKiB()
    {
        long host = Rss(_process.Id);
        long sidecar = 0;
        foreach (string children in Directory.Exists($"/proc/{_process.Id}/task") ? Directory.GetDirectories($"/proc/{_process.Id}/task") : [])
        {
            string file = Path.Combine(children, "children");
            if (File.Exists(file))
            {
                foreach (string child in File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    sidecar += Rss(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return (host, sidecar);
    }

    public async Task StopAsync()
    {
        _process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(s_patience);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // A host that does not stop in time is killed with its sidecar, so a run never leaves processes behind.
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static long Rss(int pid)
    {
        string status = $"/proc/{pid}/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private void OnLine(string? line)
    {
        string[] parts = line?.Split(' ') ?? [];
        if (parts is ["started", var id])
        {
            DeviceId = id;
        }
        else if (parts is ["role", _, var primary, _])
        {
            Primary = primary == "-" ? null : primary;
        }
        else if (parts is ["device", var device, var state])
        {
            lock (_online)
            {
                _ = state == "online" ? _online.Add(device) : _online.Remove(device);
            }
        }
        else if (parts is ["note", ..])
        {
            Interlocked.Increment(ref _notes);
        }

        Interlocked.Exchange(ref _line, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
