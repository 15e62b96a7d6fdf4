using Microsoft.Extensions.Time.Testing;
using Truffle.Sidecar;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Sidecar;

/// <summary>The client against bash scripts that play the sidecar badly.</summary>
public sealed class StandInSidecarTests : IDisposable
{
    private const int ProtocolErrorEvent = 3004;
    private const int ProcessStartedEvent = 3005;
    private const int ProcessKilledEvent = 3007;

    private const string Started =
        """{"event":"tsnet:started","data":{"state":"running","hostname":"stand-in","dnsName":"stand-in.loopback","tailscaleIP":"127.0.0.9","nodeId":"n1","protocolVersion":5}}""";

    private readonly string _root = Directory.CreateTempSubdirectory("truffle-stand-in-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Malformed_and_oversized_lines_are_protocol_errors_not_crashes()
    {
        string script = Script("garbled", $$$"""
            while IFS= read -r line; do
              case "$line" in
                *'"command":"tsnet:start"'*)
                  echo 'this is not json'
                  printf '{"event":"tsnet:status","data":{"pad":"%2000s"}}\n' ''
                  echo '{"event":"tsnet:status","data":{"state":"starting","hostname":"stand-in","protocolVersion":5}}'
                  echo '{{{Started}}}' ;;
                *'"command":"tsnet:getPeers"'*) echo '{"event":"tsnet:peers","data":{"peers":[]}}' ;;
                *'"command":"tsnet:stop"'*) echo '{"event":"tsnet:stopped","data":{}}' ;;
              esac
            done
            """);
        var log = new RecordingLogger();
        using var errors = new MetricRecorder(TruffleMetrics.Shared.SidecarProtocolErrors, messageNamespace: null);
        await using var client = new SidecarClient(script, log.CreateFactory()) { MaxLineLength = 1024 };

        var status = await client.StartAsync(Options()).WaitAsync(Test.Timeout);

        Assert.Equal("running", status.State);
        Assert.Equal("stand-in.loopback", status.DnsName);
        Assert.Empty(await client.GetPeersAsync().WaitAsync(Test.Timeout));
        Assert.Equal(2, log.Entries.Count(e => e.EventId == ProtocolErrorEvent));
        Assert.True(errors.Total >= 2, $"protocol errors counted: {errors.Total}");
    }

    [Fact]
    public async Task Sidecar_that_exits_during_start_fails_start_with_its_exit_code_and_is_not_restarted()
    {
        string script = Script("quitter", "exit 3");
        var log = new RecordingLogger();
        var time = new FakeTimeProvider();
        var exited = 0;
        await using var client = new SidecarClient(script, log.CreateFactory(), time);
        client.Exited += (_, _) => Interlocked.Increment(ref exited);

        var error = await Assert.ThrowsAsync<SidecarException>(() => client.StartAsync(Options()).WaitAsync(Test.Timeout));

        Assert.Equal(SidecarException.ProcessExitedCode, error.Code);
        Assert.Contains("code 3", error.Message, StringComparison.Ordinal);
        time.Advance(TimeSpan.FromMinutes(1)); // any restart delay would be over
        Assert.Equal(1, log.Entries.Count(e => e.EventId == ProcessStartedEvent));
        Assert.Equal(0, Volatile.Read(ref exited));
        var again = await Assert.ThrowsAsync<SidecarException>(() => client.GetPeersAsync().WaitAsync(Test.Timeout));
        Assert.Equal(SidecarException.ProcessExitedCode, again.Code);
    }

    [Fact]
    public async Task Start_error_fails_start_with_the_sidecars_code_and_message()
    {
        string script = Script("refuser", """
            while IFS= read -r line; do
              case "$line" in
                *'"command":"tsnet:start"'*) echo '{"event":"tsnet:error","data":{"code":"START_ERROR","message":"state directory is read-only"}}' ;;
                *'"command":"tsnet:stop"'*) echo '{"event":"tsnet:stopped","data":{}}' ;;
              esac
            done
            """);
        await using var client = new SidecarClient(script);

        var error = await Assert.ThrowsAsync<SidecarException>(() => client.StartAsync(Options()).WaitAsync(Test.Timeout));

        Assert.Equal("START_ERROR", error.Code);
        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_url_and_approval_reach_the_app_before_the_node_runs()
    {
        string script = Script("login", $$$"""
            while IFS= read -r line; do
              case "$line" in
                *'"command":"tsnet:start"'*)
                  echo '{"event":"tsnet:authRequired","data":{"authUrl":"https://login.example/a/1"}}'
                  echo '{"event":"tsnet:needsApproval","data":{}}'
                  echo '{{{Started}}}' ;;
                *'"command":"tsnet:stop"'*) echo '{"event":"tsnet:stopped","data":{}}' ;;
              esac
            done
            """);
        await using var client = new SidecarClient(script);
        var authUrl = Test.NewSignal<string>();
        var approval = Test.NewSignal<bool>();
        client.AuthRequired += (_, url) => authUrl.TrySetResult(url);
        client.NeedsApproval += (_, _) => approval.TrySetResult(true);

        await client.StartAsync(Options()).WaitAsync(Test.Timeout);

        Assert.Equal("https://login.example/a/1", await authUrl.Task.WaitAsync(Test.Timeout));
        Assert.True(await approval.Task.WaitAsync(Test.Timeout));
    }

    [Fact]
    public async Task Silent_sidecar_times_out_start_and_is_killed_on_dispose()
    {
        string script = Script("mute", """
            trap '' TERM
            while true; do read -r line || sleep 0.05; done
            """);
        var log = new RecordingLogger();
        var client = new SidecarClient(script, log.CreateFactory()) { ExitTimeout = TimeSpan.FromMilliseconds(300) };

        var error = await Assert.ThrowsAsync<SidecarException>(
            () => client.StartAsync(Options() with { StartTimeout = TimeSpan.FromMilliseconds(300) }).WaitAsync(Test.Timeout));
        int pid = client.ProcessId!.Value;
        await client.DisposeAsync().AsTask().WaitAsync(Test.Timeout);

        Assert.Equal(SidecarException.TimeoutCode, error.Code);
        Assert.Contains(log.Entries, e => e.EventId == ProcessKilledEvent);
        Assert.True(Processes.HasExited(pid));
    }

    private string Script(string name, string body)
    {
        string path = Path.Combine(_root, name + ".sh");
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private SidecarStartOptions Options() => new()
    {
        Hostname = "stand-in",
        StateDirectory = _root,
        Backend = SidecarBackend.Loopback,
        LoopbackDirectory = _root,
    };
}
