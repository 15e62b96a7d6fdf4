using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Truffle.Hosting.Tests.Support;
using Xunit;

namespace Truffle.Hosting.Tests;

/// <summary><c>services.AddTruffle(options =&gt; ...)</c> and <c>AddTruffle(section, options =&gt; ...)</c> with a real Host.</summary>
[SuppressMessage("Design", "CA1001", Justification = "xunit v2 disposes test classes through IAsyncLifetime only; it never calls IAsyncDisposable.")]
public sealed class OptionsInCodeTests : IAsyncLifetime
{
    private readonly LoopbackNetwork _network = new();
    private readonly LogRecorder _logs = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _network.DisposeAsync();
        _logs.Dispose();
    }

    [Fact]
    public async Task Options_set_in_code_when_the_host_starts_run_the_node_with_them()
    {
        int configured = 0;
        using IHost host = HostedApp.Build([], _logs, builder => builder.Services.AddTruffle(options =>
        {
            configured++;
            options.AppId = LoopbackNetwork.AppId;
            options.DeviceName = "coded";
            options.Network = TruffleNetwork.Loopback;
            options.StateDirectory = _network.StateDirectory("coded");
            options.LoopbackDirectory = _network.RegistryDirectory;
            options.SidecarPath = _network.SidecarPath;
            options.Port = _network.Port;
            options.Metadata = new Dictionary<string, string> { ["set"] = "in code" };
        }));
        Assert.Equal(0, configured);

        await Wait.For(host.StartAsync());
        string hostedId = host.Services.GetRequiredService<TruffleNode>().DeviceId;
        TruffleNode peer = await _network.StartPeerAsync("peer");
        await _network.UntilAsync(() => peer.Devices.Any(d => d.Id == hostedId && d.IsOnline), "the peer sees the hosted device");

        TruffleDevice hosted = peer.Devices.Single(d => d.Id == hostedId);
        Assert.Equal(1, configured);
        Assert.Equal(("coded", "in code"), (hosted.Name, hosted.Metadata["set"]));
        await Wait.For(host.StopAsync());
    }

    [Fact]
    public async Task Code_runs_after_the_configuration_section_and_wins_over_it()
    {
        string? seenBeforeCode = null;
        using IHost host = HostedApp.Build(_network.Settings("from-settings"), _logs, builder =>
            builder.Services.AddTruffle(builder.Configuration.GetSection("Truffle"), options =>
            {
                seenBeforeCode = options.DeviceName;
                options.DeviceName = "from-code";
                options.OnAuthRequired = _ => { };
            }));

        await Wait.For(host.StartAsync());
        string hostedId = host.Services.GetRequiredService<TruffleNode>().DeviceId;
        TruffleNode peer = await _network.StartPeerAsync("peer");
        await _network.UntilAsync(() => peer.Devices.Any(d => d.Id == hostedId && d.IsOnline), "the peer sees the hosted device");

        Assert.Equal("from-settings", seenBeforeCode);
        Assert.Equal("from-code", peer.Devices.Single(d => d.Id == hostedId).Name);
        await Wait.For(host.StopAsync());
    }

    [Fact]
    public async Task Code_that_leaves_the_app_id_empty_fails_the_start_with_where_to_set_it()
    {
        using IHost host = HostedApp.Build([], _logs, builder => builder.Services.AddTruffle(options => options.Network = TruffleNetwork.Loopback));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            "TruffleOptions.AppId is missing: set it in AddTruffle(options => options.AppId = \"...\"), the same on every device of the app (lowercase letters, digits and '-').",
            error.Message);
        Assert.Equal(TruffleNodeState.Failed, host.Services.GetRequiredService<HostedTruffleNode>().State);
    }
}
