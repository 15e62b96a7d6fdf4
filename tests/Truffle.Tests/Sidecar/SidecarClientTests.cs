using System.Diagnostics;
using Truffle.Sidecar;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Sidecar;

[Collection(RealSidecar.Name)]
public sealed class SidecarClientTests(SidecarBinary binary) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("truffle-loopback-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Started_node_is_running_with_a_loopback_dns_name()
    {
        await using var client = new SidecarClient(binary.Path);

        var status = await client.StartAsync(Options("alpha")).WaitAsync(Test.Timeout);

        Assert.Equal("running", status.State);
        Assert.EndsWith(".loopback", status.DnsName, StringComparison.Ordinal);
        Assert.Equal(5, status.ProtocolVersion);
    }

    [Fact]
    public async Task Two_nodes_on_one_registry_see_each_other()
    {
        await using var a = new SidecarClient(binary.Path);
        await using var b = new SidecarClient(binary.Path);
        var statusA = await a.StartAsync(Options("peer-a")).WaitAsync(Test.Timeout);
        var statusB = await b.StartAsync(Options("peer-b")).WaitAsync(Test.Timeout);

        var peersOfA = await a.GetPeersAsync().WaitAsync(Test.Timeout);
        var peersOfB = await b.GetPeersAsync().WaitAsync(Test.Timeout);

        Assert.Contains(peersOfA, p => p.DnsName == statusB.DnsName);
        Assert.Contains(peersOfB, p => p.DnsName == statusA.DnsName);
    }

    [Fact]
    public async Task Dialed_connection_carries_bytes_both_ways_and_the_listener_sees_the_dialer()
    {
        await using var a = new SidecarClient(binary.Path);
        await using var b = new SidecarClient(binary.Path);
        var statusA = await a.StartAsync(Options("listen-a")).WaitAsync(Test.Timeout);
        var statusB = await b.StartAsync(Options("dial-b")).WaitAsync(Test.Timeout);
        Assert.Equal(9417, await a.ListenAsync(9417).WaitAsync(Test.Timeout));

        await using var outgoing = await b.DialAsync(statusA.DnsName, 9417).WaitAsync(Test.Timeout);
        await using var incoming = await a.AcceptAsync().AsTask().WaitAsync(Test.Timeout);

        Assert.Equal(statusB.DnsName, incoming.RemoteIdentity?.DnsName);
        Assert.Equal(9417, incoming.Port);
        await outgoing.Stream.WriteAsync("ping"u8.ToArray());
        byte[] buffer = new byte[4];
        await incoming.Stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Test.Timeout);
        Assert.Equal("ping"u8.ToArray(), buffer);
        await incoming.Stream.WriteAsync("pong"u8.ToArray());
        await outgoing.Stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Test.Timeout);
        Assert.Equal("pong"u8.ToArray(), buffer);
    }

    [Fact]
    public async Task WhoIs_names_the_node_at_an_address_and_nobody_at_an_unclaimed_one()
    {
        await using var a = new SidecarClient(binary.Path);
        await using var b = new SidecarClient(binary.Path);
        await a.StartAsync(Options("asker")).WaitAsync(Test.Timeout);
        var statusB = await b.StartAsync(Options("asked")).WaitAsync(Test.Timeout);

        var known = await a.WhoIsAsync(statusB.TailscaleIp).WaitAsync(Test.Timeout);
        var unknown = await a.WhoIsAsync("127.0.0.254").WaitAsync(Test.Timeout);

        Assert.Equal(statusB.DnsName, known?.DnsName);
        Assert.Equal(statusB.NodeId, known?.NodeId);
        Assert.Null(unknown);
    }

    [Fact]
    public async Task Dial_to_an_unknown_node_fails_with_a_sidecar_error()
    {
        await using var a = new SidecarClient(binary.Path);
        await a.StartAsync(Options("lonely")).WaitAsync(Test.Timeout);

        var error = await Assert.ThrowsAsync<SidecarException>(() => a.DialAsync("nobody.loopback", 9417).WaitAsync(Test.Timeout));
        Assert.Equal("DIAL_ERROR", error.Code);
    }

    [Fact]
    public async Task Disposing_the_client_leaves_no_process_behind()
    {
        var client = new SidecarClient(binary.Path);
        await client.StartAsync(Options("short-lived")).WaitAsync(Test.Timeout);
        int pid = client.ProcessId!.Value;

        await client.DisposeAsync().AsTask().WaitAsync(Test.Timeout);

        Assert.True(Processes.HasExited(pid));
    }

    private SidecarStartOptions Options(string hostname) => new()
    {
        Hostname = hostname,
        StateDirectory = Directory.CreateDirectory(Path.Combine(_root, "state-" + hostname)).FullName,
        Backend = SidecarBackend.Loopback,
        LoopbackDirectory = Directory.CreateDirectory(Path.Combine(_root, "registry")).FullName,

        // An address whose 9417 is free: other loopback networks of this test run (or another) listen there too.
        LoopbackPorts = [9417],
    };
}
