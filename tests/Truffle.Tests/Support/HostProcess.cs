using System.Diagnostics;
using System.Reflection;

namespace Truffle.Tests.Support;

/// <summary>
/// A mesh node in a process of its own (tests/Truffle.TestHost): commands go to its stdin, its event lines are
/// collected, and <see cref="Kill"/> ends it the hard way (SIGKILL), as a crash or a power cut would. Every line
/// it prints releases <paramref name="changed"/>, so a test can wait for a state across several processes.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _changed;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly HashSet<string> _online = new(StringComparer.Ordinal);

    private HostProcess(Process process, SemaphoreSlim changed)
    {
        _process = process;
        _changed = changed;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string DeviceId { get; private set; } = "";

    /// <summary>The role and primary of the last "role" line; "None" and null before the first.</summary>
    public (string Role, string? PrimaryId, ulong Term) Role { get; private set; } = ("None", null, 0);

    /// <summary>How many "role" lines the node printed: one at start, then one per change of role, primary or term.</summary>
    public int RoleLines { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>Whether the node's last "device" line about <paramref name="deviceId"/> said it is online.</summary>
    public bool SeesOnline(string deviceId)
    {
        lock (_gate)
        {
            return _online.Contains(deviceId);
        }
    }

    private static string HostPath =>
        typeof(HostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestHost").Value!;

    public static async Task<HostProcess> StartAsync(string name, string state, string registry, SemaphoreSlim changed, bool observer = false)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { HostPath, "--app", "meshtest", "--name", name, "--state", state, "--loopback", registry })
        {
            start.ArgumentList.Add(argument);
        }

        if (observer)
        {
            start.ArgumentList.Add("--observer");
        }

        var host = new HostProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), changed);
        string started = await host.LineAsync(line => line.StartsWith("started ", StringComparison.Ordinal));
        host.DeviceId = started["started ".Length..];
        return host;
    }

    /// <summary>Whether the node printed <paramref name="line"/> so far.</summary>
    public bool Printed(string line)
    {
        lock (_gate)
        {
            return _lines.Contains(line);
        }
    }

    public Task SendAsync(string command) => _process.StandardInput.WriteLineAsync(command);

    /// <summary>The first line printed so far or later that matches.</summary>
    public async Task<string> LineAsync(Func<string, bool> match)
    {
        using var deadline = new CancellationTokenSource(Test.Timeout);
        while (true)
        {
            lock (_gate)
            {
                if (_lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }
            }

            try
            {
                await _changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"No matching line from the node; it printed: {string.Join(" | ", _lines.TakeLast(20))}");
                }
            }
        }
    }

    public void Kill() => _process.Kill(entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close(); // EOF: the node says goodbye and stops
            using var deadline = new CancellationTokenSource(Test.Timeout);
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
            string[] parts = line.Split(' ');
            if (parts is ["device", var device, var state])
            {
                if (state == "online")
                {
                    _online.Add(device);
                }
                else
                {
                    _online.Remove(device);
                }
            }
            else if (parts is ["role", var role, var primary, var term])
            {
                Role = (role, primary == "-" ? null : primary, ulong.Parse(term, System.Globalization.CultureInfo.InvariantCulture));
                RoleLines++;
            }
        }

        _changed.Release(2); // a waiter per process may be looking
    }
}
