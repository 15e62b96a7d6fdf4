using System.Diagnostics;
using Truffle.Sidecar;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Sidecar;

[Collection(RealSidecar.Name)]
public sealed class SidecarSupervisionTests(SidecarBinary binary) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("truffle-supervision-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Killed_sidecar_is_reported_restarted_and_listens_again()
    {
        await using var node = new SidecarClient(binary.Path);
        await using var caller = new SidecarClient(binary.Path);
        var exited = Test.NewSignal<SidecarExit>();
        var restarted = Test.NewSignal<SidecarStatus>();
        node.Exited += (_, exit) => exited.TrySetResult(exit);
        node.Restarted += (_, status) => restarted.TrySetResult(status);
        await node.StartAsync(Options("phoenix")).WaitAsync(Test.Timeout);
        var callerStatus = await caller.StartAsync(Options("caller")).WaitAsync(Test.Timeout);
        Assert.Equal(9418, await node.ListenAsync(9418).WaitAsync(Test.Timeout));
        int killed = node.ProcessId!.Value;

        using (var process = Process.GetProcessById(killed))
        {
            process.Kill();
        }

        var exit = await exited.Task.WaitAsync(Test.Timeout);
        Assert.True(exit.WillRestart);
        Assert.NotEqual(0, exit.ExitCode);
        var status = await restarted.Task.WaitAsync(Test.Timeout);
        Assert.Equal("running", status.State);
        Assert.NotEqual(killed, node.ProcessId);

        var peers = await node.GetPeersAsync().WaitAsync(Test.Timeout);
        Assert.Contains(peers, p => p.DnsName == callerStatus.DnsName);

        // By address: the killed process's registry entry (same name) lives on until it goes stale in the loopback backend.
        await using var outgoing = await caller.DialAsync(status.TailscaleIp, 9418).WaitAsync(Test.Timeout);
        await using var incoming = await node.AcceptAsync().AsTask().WaitAsync(Test.Timeout);
        Assert.Equal(9418, incoming.Port);
        Assert.Equal(callerStatus.DnsName, incoming.RemoteIdentity?.DnsName);
    }

    [Fact]
    public async Task Disposing_after_a_restart_leaves_no_process_behind()
    {
        var node = new SidecarClient(binary.Path);
        var restarted = Test.NewSignal<SidecarStatus>();
        node.Restarted += (_, status) => restarted.TrySetResult(status);
        await node.StartAsync(Options("twice")).WaitAsync(Test.Timeout);
        using (var process = Process.GetProcessById(node.ProcessId!.Value))
        {
            process.Kill();
        }

        await restarted.Task.WaitAsync(Test.Timeout);
        int pid = node.ProcessId!.Value;
        await node.DisposeAsync().AsTask().WaitAsync(Test.Timeout);

        Assert.True(Processes.HasExited(pid));
    }

    [Theory]
    [InlineData(0, 0.0, 50)]
    [InlineData(0, 1.0, 100)]
    [InlineData(3, 1.0, 800)]
    [InlineData(7, 1.0, 10_000)]
    [InlineData(40, 0.0, 5_000)]
    public void Restart_delay_doubles_per_attempt_with_jitter_and_is_capped(int attempt, double jitter, int expectedMilliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), SidecarSupervisor.RestartDelay(attempt, jitter));


    private SidecarStartOptions Options(string hostname) => new()
    {
        Hostname = hostname,
        StateDirectory = Directory.CreateDirectory(Path.Combine(_root, "state-" + hostname)).FullName,
        Backend = SidecarBackend.Loopback,
        LoopbackDirectory = Directory.CreateDirectory(Path.Combine(_root, "registry")).FullName,

        // An address whose 9418 is free: other loopback networks of this test run (or another) listen there too.
        LoopbackPorts = [9418],
    };
}
