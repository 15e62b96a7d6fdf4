using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>Nodes in processes of their own (tests/Truffle.TestHost), so one can be killed with SIGKILL.</summary>
[Collection(RealSidecar.Name)]
public sealed class MeshProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("truffle-processes-").FullName;
    private readonly SemaphoreSlim _changed = new(0);

    public void Dispose()
    {
        _changed.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Killed_primary_is_replaced_and_rejoins_as_a_secondary_when_restarted()
    {
        var hosts = new List<HostProcess>();
        try
        {
            foreach (string name in new[] { "red", "green", "blue" })
            {
                hosts.Add(await StartAsync(name));
            }

            string primary = await AgreedPrimaryAsync(hosts);
            HostProcess victim = hosts.Single(h => h.DeviceId == primary);
            ulong term = victim.Role.Term;
            string victimName = victim == hosts[0] ? "red" : victim == hosts[1] ? "green" : "blue";

            victim.Kill();
            hosts.Remove(victim);
            await victim.DisposeAsync();
            string successor = await AgreedPrimaryAsync(hosts);

            Assert.NotEqual(primary, successor);
            Assert.All(hosts, h => Assert.True(h.Role.Term > term, $"term {h.Role.Term} after {term}"));

            HostProcess restarted = await StartAsync(victimName);
            hosts.Add(restarted);
            Assert.Equal(primary, restarted.DeviceId); // same state directory, same device
            Assert.Equal(successor, await AgreedPrimaryAsync(hosts));
            Assert.Equal("Secondary", restarted.Role.Role);

            // Traffic flows through the new primary to the restarted device, with the right sender.
            HostProcess sender = hosts.First(h => h.DeviceId != successor && h != restarted);
            await UntilAsync(() => hosts.All(h => hosts.All(other => other == h || h.SeesOnline(other.DeviceId))), "all connected");
            await sender.SendAsync($"send {restarted.DeviceId} back-again");
            await restarted.LineAsync(line => line == $"note {sender.DeviceId} back-again");
            await sender.SendAsync($"ping {restarted.DeviceId} hello");
            await sender.LineAsync(line => line == $"pong {restarted.DeviceId} hello");
        }
        finally
        {
            foreach (HostProcess host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Slice_of_a_killed_device_disappears_and_its_restart_publishes_a_fresh_one()
    {
        var hosts = new List<HostProcess>();
        try
        {
            foreach (string name in new[] { "left", "middle", "right" })
            {
                hosts.Add(await StartAsync(name));
            }

            await AgreedPrimaryAsync(hosts);
            await UntilAsync(() => hosts.All(h => hosts.All(other => other == h || h.SeesOnline(other.DeviceId))), "all connected");
            HostProcess victim = hosts[2];
            await victim.SendAsync("set before-the-crash");
            foreach (HostProcess host in hosts.Take(2))
            {
                await host.LineAsync(line => line == $"slice {victim.DeviceId} before-the-crash");
            }

            victim.Kill();
            hosts.Remove(victim);
            await victim.DisposeAsync();
            foreach (HostProcess host in hosts)
            {
                await host.LineAsync(line => line == $"slice {victim.DeviceId} -gone-");
            }

            HostProcess restarted = await StartAsync("right");
            hosts.Add(restarted);
            await UntilAsync(() => hosts.Take(2).All(h => h.SeesOnline(restarted.DeviceId)), "the restarted node connected");
            await restarted.SendAsync("set after-the-restart");
            foreach (HostProcess host in hosts.Take(2))
            {
                await host.LineAsync(line => line == $"slice {restarted.DeviceId} after-the-restart");
            }

            Assert.Equal(victim.DeviceId, restarted.DeviceId);
        }
        finally
        {
            foreach (HostProcess host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Survivors_keep_each_others_slices_across_a_killed_primary_and_sync_through_the_new_one()
    {
        var hosts = new List<HostProcess>();
        try
        {
            foreach (string name in new[] { "first", "second", "third" })
            {
                hosts.Add(await StartAsync(name));
            }

            string primaryId = await AgreedPrimaryAsync(hosts);
            await UntilAsync(() => hosts.All(h => hosts.All(other => other == h || h.SeesOnline(other.DeviceId))), "all connected");
            HostProcess primary = hosts.Single(h => h.DeviceId == primaryId);
            HostProcess[] survivors = [.. hosts.Where(h => h != primary)];
            await survivors[0].SendAsync("set zero-before");
            await survivors[1].LineAsync(line => line == $"slice {survivors[0].DeviceId} zero-before");

            primary.Kill();
            hosts.Remove(primary);
            await primary.DisposeAsync();
            string successor = await AgreedPrimaryAsync(hosts);
            Assert.NotEqual(primaryId, successor);

            await survivors[1].SendAsync("set one-after");
            await survivors[0].LineAsync(line => line == $"slice {survivors[1].DeviceId} one-after");
            await survivors[0].SendAsync("set zero-after");
            await survivors[1].LineAsync(line => line == $"slice {survivors[0].DeviceId} zero-after");
            Assert.DoesNotContain(survivors, s => s.Printed($"slice {survivors[0].DeviceId} -gone-") || s.Printed($"slice {survivors[1].DeviceId} -gone-"));
        }
        finally
        {
            foreach (HostProcess host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Observers_joining_talking_leaving_and_crashing_never_change_the_primary_or_the_term()
    {
        var hosts = new List<HostProcess>();
        try
        {
            foreach (string name in new[] { "red", "green", "blue" })
            {
                hosts.Add(await StartAsync(name));
            }

            string primary = await AgreedPrimaryAsync(hosts);
            await UntilAsync(() => hosts.All(h => hosts.All(other => other == h || h.SeesOnline(other.DeviceId))), "all connected");
            (string, string?, ulong)[] roles = [.. hosts.Select(h => h.Role)];
            int[] roleLines = [.. hosts.Select(h => h.RoleLines)];

            // One observer talks and crashes; another leaves gracefully.
            HostProcess crashing = await StartAsync("watcher", observer: true);
            await UntilAsync(() => crashing.Role.PrimaryId == primary, "the observer follows the primary");
            Assert.Equal("Secondary", crashing.Role.Role);
            await crashing.SendAsync("broadcast from-the-observer");
            await Task.WhenAll(hosts.Select(h => h.LineAsync(line => line == $"note {crashing.DeviceId} from-the-observer")));
            crashing.Kill();
            await crashing.DisposeAsync();
            await using (HostProcess leaving = await StartAsync("visitor", observer: true))
            {
                await UntilAsync(() => leaving.Role.PrimaryId == primary, "the second observer follows the primary");
                await hosts[0].SendAsync($"ping {leaving.DeviceId} hi");
                await hosts[0].LineAsync(line => line == $"pong {leaving.DeviceId} hi");
            }

            await UntilAsync(() => hosts.All(h => !h.SeesOnline(crashing.DeviceId)), "the crashed observer is offline everywhere");
            Assert.Equal(roles, hosts.Select(h => h.Role));
            Assert.Equal(roleLines, hosts.Select(h => h.RoleLines));
        }
        finally
        {
            foreach (HostProcess host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private Task<HostProcess> StartAsync(string name, bool observer = false) =>
        HostProcess.StartAsync(name, Path.Combine(_root, "state-" + name), Path.Combine(_root, "registry"), _changed, observer);

    private async Task UntilAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Test.Timeout);
        while (!condition())
        {
            try
            {
                await _changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("Not reached: " + what);
            }
        }
    }

    /// <summary>Waits until every host's last role line names the same primary, one of them.</summary>
    private async Task<string> AgreedPrimaryAsync(List<HostProcess> hosts)
    {
        using var deadline = new CancellationTokenSource(Test.Timeout);
        while (true)
        {
            string? primary = hosts[0].Role.PrimaryId;
            if (primary is not null && hosts.All(h => h.Role.PrimaryId == primary) && hosts.Any(h => h.DeviceId == primary))
            {
                return primary;
            }

            try
            {
                await _changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No agreed primary: " + string.Join("; ", hosts.Select(h => $"{h.DeviceId[..8]} {h.Role}")));
            }
        }
    }
}
