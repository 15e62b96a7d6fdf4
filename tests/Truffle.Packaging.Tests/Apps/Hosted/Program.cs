using Hosted;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Truffle;
using Truffle.Hosting;

// The package tests' hosted app: a Generic Host runs the "worker" node configured by appsettings.json's "Truffle"
// section (the run's folders come on the command line: --Truffle:StateDirectory=... --Truffle:LoopbackDirectory=...).
// A plain "visitor" node on the same loopback network greets it twice and asks it for a note; handler classes with a
// scoped Notebook answer. Then the host stops and the visitor hears the worker's goodbye. One line per step on
// standard output (the host's logs go to standard error); exit code 0 when every step happened in time.
var patience = TimeSpan.FromSeconds(30);
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Logging.ClearProviders().AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.AddSingleton<Calls>();
builder.Services.AddScoped<Notebook>();
builder.Services.AddTruffle(builder.Configuration.GetSection(TruffleConfiguration.SectionName))
    .AddHandler<Greeting, GreetingHandler>()
    .AddRequestHandler<GetNote, Note, NoteHandler>();
builder.Services.AddHealthChecks().AddTruffle();
using IHost host = builder.Build();
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));

try
{
    await host.StartAsync(deadline.Token);
    TruffleNode worker = host.Services.GetRequiredService<TruffleNode>();
    HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
    Calls calls = host.Services.GetRequiredService<Calls>();

    var goodbyes = new GoodbyeListener();
    using ILoggerFactory visitorLogging = LoggerFactory.Create(logging => logging.AddProvider(goodbyes));
    await using TruffleNode visitor = await TruffleNode.StartAsync(new TruffleOptions
    {
        AppId = builder.Configuration["Truffle:AppId"]!,
        DeviceName = "visitor",
        StateDirectory = builder.Configuration["Truffle:StateDirectory"] + "-visitor",
        Network = TruffleNetwork.Loopback,
        LoopbackDirectory = builder.Configuration["Truffle:LoopbackDirectory"],
        LoggerFactory = visitorLogging,
    }, deadline.Token);
    TruffleDevice seen = await SeenAsync(visitor, device => device.Id == worker.DeviceId && device.IsOnline).WaitAsync(patience);
    Console.WriteLine($"visitor sees {seen.Name}, role {seen.Metadata["role"]}");

    await visitor.Bus.Notes.Send(worker.DeviceId, new Greeting("hello"), deadline.Token);
    await visitor.Bus.Notes.Send(worker.DeviceId, new Greeting("hello again"), deadline.Token);
    Console.WriteLine($"worker handled: {await calls.Greetings.Reader.ReadAsync(deadline.Token)}, {await calls.Greetings.Reader.ReadAsync(deadline.Token)}");
    Note note = await visitor.Bus.Notes.Request(worker.DeviceId, new GetNote("welcome"), patience, deadline.Token);
    Console.WriteLine($"visitor got note {note.Id}: {note.Text}");
    Console.WriteLine($"health: {(await health.CheckHealthAsync(deadline.Token)).Status}");

    await host.StopAsync(deadline.Token);
    await goodbyes.HeardFrom(worker.DeviceId).WaitAsync(patience);
    Console.WriteLine("visitor heard the worker's goodbye");
    Console.WriteLine($"health after stop: {(await health.CheckHealthAsync(deadline.Token)).Status}");
    Notebook[] notebooks = [.. calls.Notebooks];
    Console.WriteLine($"notebooks: {notebooks.Distinct().Count()} for {notebooks.Length} calls, {notebooks.Count(n => n.Disposed)} disposed");
    return 0;
}
catch (Exception e) when (e is TimeoutException or OperationCanceledException)
{
    Console.Error.WriteLine($"timed out: {e}");
    return 1;
}

// Subscribes, then reads the current list, so a change in between is seen either way.
static Task<TruffleDevice> SeenAsync(TruffleNode node, Func<TruffleDevice, bool> wanted)
{
    var seen = new TaskCompletionSource<TruffleDevice>(TaskCreationOptions.RunContinuationsAsynchronously);
    void Check(object? sender, TruffleDevice device)
    {
        if (wanted(device))
        {
            seen.TrySetResult(device);
        }
    }

    node.DeviceDiscovered += Check;
    node.DeviceUpdated += Check;
    foreach (TruffleDevice device in node.Devices)
    {
        Check(null, device);
    }

    return seen.Task;
}
