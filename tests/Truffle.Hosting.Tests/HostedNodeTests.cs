using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Truffle.Hosting.Tests.Support;
using Truffle.Sync;
using Xunit;

namespace Truffle.Hosting.Tests;

/// <summary>A real Generic Host running a node next to a plain node, each with its own loopback sidecar.</summary>
[SuppressMessage("Design", "CA1001", Justification = "xunit v2 disposes test classes through IAsyncLifetime only; it never calls IAsyncDisposable.")]
public sealed class HostedNodeTests : IAsyncLifetime
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
    public async Task Handler_class_gets_each_message_from_another_device_in_a_scope_of_its_own()
    {
        using IHost host = HostedApp.Build(_network.Settings("hosted"), _logs, builder =>
        {
            builder.Services.AddScoped<ScopeProbe>();
            builder.Services.AddSingleton<HandledLog>();
            builder.Services.AddTruffle(builder.Configuration.GetSection("Truffle")).AddHandler<Greeting, GreetingHandler>();
        });
        await Wait.For(host.StartAsync());
        TruffleNode hosted = host.Services.GetRequiredService<TruffleNode>();
        TruffleNode peer = await _network.StartPeerAsync("peer");
        _network.Watch(hosted);
        await _network.UntilAsync(() => peer.Devices.Any(d => d.Id == hosted.DeviceId && d.IsOnline), "the peer sees the hosted device");

        await peer.Bus.Hosting.Send(hosted.DeviceId, new Greeting("first"));
        await peer.Bus.Hosting.Send(hosted.DeviceId, new Greeting("second"));
        HandledLog log = host.Services.GetRequiredService<HandledLog>();
        Handled first = await log.NextAsync();
        Handled second = await log.NextAsync();

        Assert.Equal(("first", peer.DeviceId, hosted.DeviceId), (first.Text, first.From, first.HandledBy));
        Assert.Equal(("second", peer.DeviceId), (second.Text, second.From));
        Assert.NotEqual(first.Scope.Id, second.Scope.Id);
        Assert.True(first.Scope.Disposed, "the first message's scope is disposed before the next message is handled");
        await Wait.For(host.StopAsync());
    }

    [Fact]
    public async Task Request_handler_class_answers_and_its_exception_reaches_the_caller_as_a_remote_error()
    {
        using IHost host = HostedApp.Build(_network.Settings("answering"), _logs, builder =>
        {
            builder.Services.AddScoped<ScopeProbe>();
            builder.Services.AddTruffle(builder.Configuration.GetSection("Truffle")).AddRequestHandler<GetNote, Note, NoteHandler>();
        });
        using var calls = new HandlerCallRecorder(host.Services.GetRequiredService<IMeterFactory>());
        await Wait.For(host.StartAsync());
        string hostedId = host.Services.GetRequiredService<IMessageBus>().LocalDeviceId;
        TruffleNode peer = await _network.StartPeerAsync("asking");
        await _network.UntilAsync(() => peer.Devices.Any(d => d.Id == hostedId && d.IsOnline), "the peer sees the hosted device");

        Note note = await peer.Bus.Hosting.Request(hostedId, new GetNote("n1"), Wait.Timeout);
        Note again = await peer.Bus.Hosting.Request(hostedId, new GetNote("n1"), Wait.Timeout);
        RemoteHandlerException error = await Assert.ThrowsAsync<RemoteHandlerException>(
            async () => await peer.Bus.Hosting.Request(hostedId, new GetNote("missing"), Wait.Timeout));

        Assert.Equal(("n1", "asked by " + peer.DeviceId), (note.Id, note.Text));
        Assert.NotEqual(note.Scope, again.Scope);
        Assert.Equal(hostedId, error.DeviceId);
        Assert.Equal(typeof(KeyNotFoundException).FullName, error.RemoteExceptionType);
        Assert.Equal("There is no note 'missing'.", error.RemoteMessage);
        Assert.Equal(2, calls.Count("NoteHandler", "success"));
        Assert.Equal(1, calls.Count("NoteHandler", "error"));
        await Wait.For(host.StopAsync());
    }

    [Fact]
    public async Task The_nodes_truffle_meter_comes_from_the_containers_meter_factory()
    {
        using IHost host = HostedApp.Build(_network.Settings("measured"), _logs, builder =>
        {
            builder.Services.AddScoped<ScopeProbe>();
            builder.Services.AddTruffle(builder.Configuration.GetSection("Truffle")).AddRequestHandler<GetNote, Note, NoteHandler>();
        });
        IMeterFactory factory = host.Services.GetRequiredService<IMeterFactory>();
        using var received = new ScopedMeterRecorder(factory, "Truffle", "truffle.mesh.received");
        using var sent = new ScopedMeterRecorder(factory, "Truffle", "truffle.mesh.sent");
        await Wait.For(host.StartAsync());
        string hostedId = host.Services.GetRequiredService<IMessageBus>().LocalDeviceId;
        TruffleNode peer = await _network.StartPeerAsync("measuring");
        await _network.UntilAsync(() => peer.Devices.Any(d => d.Id == hostedId && d.IsOnline), "the peer sees the hosted device");

        // The peer is not hosted: its own sends go to the process-wide meter, never to this container's.
        await peer.Bus.Hosting.Request(hostedId, new GetNote("n1"), Wait.Timeout);
        await peer.Bus.Hosting.Request(hostedId, new GetNote("n1"), Wait.Timeout);

        Assert.True(received.Total >= 2, $"{received.Total} envelopes received on the container's meter");
        Assert.True(sent.Total >= 2, $"{sent.Total} envelopes (the replies) sent on the container's meter");
        await Wait.For(host.StopAsync());
    }

    [Fact]
    public async Task Node_bus_and_sync_engine_resolve_once_the_host_has_started_the_node_and_logs_go_to_the_host()
    {
        using IHost host = HostedApp.Build(_network.Settings("resolving"), _logs, builder =>
            builder.Services.AddTruffle(builder.Configuration.GetSection("Truffle")));
        HostedTruffleNode hosted = host.Services.GetRequiredService<HostedTruffleNode>();
        Task<TruffleNode> started = hosted.WaitForStartAsync();

        InvalidOperationException early = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IMessageBus>());
        Assert.Contains("has not started yet", early.Message, StringComparison.Ordinal);
        Assert.False(started.IsCompleted);
        Assert.Equal(TruffleNodeState.NotStarted, hosted.State);

        await Wait.For(host.StartAsync());

        TruffleNode node = await Wait.For(started);
        Assert.Equal(TruffleNodeState.Running, hosted.State);
        Assert.Same(node, host.Services.GetRequiredService<TruffleNode>());
        Assert.Same(node.Bus, host.Services.GetRequiredService<IMessageBus>());
        Assert.Same(node.Sync, host.Services.GetRequiredService<SyncEngine>());
        await _logs.WaitForAsync(e => e.EventId == 9001 && e.Message.Contains(node.DeviceId, StringComparison.Ordinal), "the hosting's start");
        await _logs.WaitForAsync(e => e.EventId == 6001 && e.Message.Contains(node.DeviceId, StringComparison.Ordinal), "the mesh's own start, through the host's logger factory");

        await Wait.For(host.StopAsync());
        Assert.Equal(TruffleNodeState.Stopped, hosted.State);
        Assert.Throws<InvalidOperationException>(() => hosted.Node);
    }

    [Fact]
    public async Task Health_check_reports_starting_then_running_with_role_primary_and_term_then_stopped()
    {
        HealthReportEntry? whileStarting = null;
        using IHost host = HostedApp.Build(_network.Settings("checked"), _logs, builder =>
        {
            builder.Services.AddHealthChecks().AddTruffle();
            builder.Services.AddTruffle(services =>
            {
                // The options are read when the node starts, so the check can be asked here, mid-start.
                whileStarting = Check(services);
                return TruffleConfiguration.Read(builder.Configuration.GetSection("Truffle"));
            });
        });
        HealthReportEntry beforeStart = Check(host.Services);

        await Wait.For(host.StartAsync());
        TruffleNode node = host.Services.GetRequiredService<TruffleNode>();
        _network.Watch(node);
        await _network.UntilAsync(() => node.PrimaryId is not null, "the lone node elects itself");
        HealthReportEntry running = Check(host.Services);
        await Wait.For(host.StopAsync());
        HealthReportEntry stopped = Check(host.Services);

        Assert.Equal((HealthStatus.Unhealthy, "NotStarted"), (beforeStart.Status, beforeStart.Data["state"]));
        Assert.Equal((HealthStatus.Degraded, "Starting"), (whileStarting?.Status, whileStarting?.Data["state"]));
        Assert.Equal(HealthStatus.Healthy, running.Status);
        Assert.Equal("Running", running.Data["state"]);
        Assert.Equal("Primary", running.Data["role"]);
        Assert.Equal(node.DeviceId, running.Data["primary"]);
        Assert.True((ulong)running.Data["term"] >= 1, $"term {running.Data["term"]}");
        Assert.Equal((HealthStatus.Unhealthy, "Stopped"), (stopped.Status, stopped.Data["state"]));
    }

    [Fact]
    public async Task Graceful_stop_says_goodbye_so_the_peer_sees_the_device_and_its_slice_leave_at_once()
    {
        using IHost host = HostedApp.Build(_network.Settings("leaving"), _logs, builder =>
            builder.Services.AddTruffle(builder.Configuration.GetSection("Truffle")));
        await Wait.For(host.StartAsync());
        host.Services.GetRequiredService<SyncEngine>().Store<Presence>().Local = new Presence("here");
        string hostedId = host.Services.GetRequiredService<TruffleNode>().DeviceId;
        var peerLogs = new LogRecorder();
        using var peerLogging = peerLogs.CreateFactory();
        TruffleNode peer = await _network.StartPeerAsync("staying", peerLogging);
        SyncedStore<Presence> presence = peer.Sync.Store<Presence>();
        presence.Changed += (_, _) => _network.Poke();
        await _network.UntilAsync(() => presence.Remotes.ContainsKey(hostedId), "the peer has the hosted device's slice");

        await Wait.For(host.StopAsync());

        await peerLogs.WaitForAsync(e => e.EventId == 6010 && e.Message.Contains(hostedId, StringComparison.Ordinal), "the peer hears the goodbye");
        await _network.UntilAsync(
            () => !presence.Remotes.ContainsKey(hostedId) && peer.Devices.Any(d => d.Id == hostedId && !d.IsOnline),
            "the peer drops the slice and sees the device offline");
    }

    [Fact]
    public async Task Stop_cancels_a_running_handler_and_waits_for_it_before_the_node_leaves()
    {
        using IHost host = HostedApp.Build(_network.Settings("lingering"), _logs, builder =>
        {
            builder.Services.AddSingleton<HandledLog>();
            builder.Services.AddTruffle(builder.Configuration.GetSection("Truffle")).AddHandler<Greeting, LingeringHandler>();
        });
        using var calls = new HandlerCallRecorder(host.Services.GetRequiredService<IMeterFactory>());
        await Wait.For(host.StartAsync());
        string hostedId = host.Services.GetRequiredService<TruffleNode>().DeviceId;
        TruffleNode peer = await _network.StartPeerAsync("waiting");
        Channel<string> replies = Channel.CreateUnbounded<string>();
        using IDisposable subscription = peer.Bus.Hosting.On<Greeting>((message, _) => replies.Writer.TryWrite(message.Text));
        await _network.UntilAsync(() => peer.Devices.Any(d => d.Id == hostedId && d.IsOnline), "the peer sees the hosted device");
        await peer.Bus.Hosting.Send(hostedId, new Greeting("wait for me"));
        await host.Services.GetRequiredService<HandledLog>().NextAsync();

        await Wait.For(host.StopAsync());

        Assert.Equal("still here", await Wait.For(replies.Reader.ReadAsync().AsTask()));
        Assert.Equal(1, calls.Count("LingeringHandler", "canceled"));
    }

    [Fact]
    public async Task A_bad_setting_fails_the_host_start_with_a_message_that_names_it_and_the_health_check_says_failed()
    {
        var settings = _network.Settings("misconfigured");
        settings["Network"] = "Lopback";
        using IHost host = HostedApp.Build(settings, _logs, builder =>
        {
            builder.Services.AddHealthChecks().AddTruffle();
            builder.Services.AddTruffle(builder.Configuration.GetSection("Truffle"));
        });

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("Truffle:Network is 'Lopback', not one of Tailscale, Loopback.", error.Message);
        HostedTruffleNode hosted = host.Services.GetRequiredService<HostedTruffleNode>();
        Assert.Equal(TruffleNodeState.Failed, hosted.State);
        Assert.Same(error, hosted.Failure);
        await Assert.ThrowsAsync<InvalidOperationException>(() => hosted.WaitForStartAsync());
        HealthReportEntry health = Check(host.Services);
        Assert.Equal((HealthStatus.Unhealthy, "Failed"), (health.Status, health.Data["state"]));
        Assert.Same(error, health.Exception);
        Assert.False(Directory.Exists(_network.StateDirectory("misconfigured")), "nothing started");
    }

    private static HealthReportEntry Check(IServiceProvider services) =>
        services.GetRequiredService<HealthCheckService>().CheckHealthAsync().GetAwaiter().GetResult().Entries["truffle"];
}
