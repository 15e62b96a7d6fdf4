using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Truffle;
using Truffle.Hosting;

namespace Hosted;

/// <summary>
/// A second device in the same process, so the sample runs alone: once the hosted node is up, a plain node joins the
/// same loopback network, greets it, asks it for a note, prints the health check and stops the app. The exit code
/// is 0 when every answer came back.
/// </summary>
public sealed class Visitor(
    HostedTruffleNode truffle,
    NoteStore store,
    HealthCheckService health,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string state = Directory.CreateTempSubdirectory("truffle-hosted-visitor-").FullName;
        try
        {
            // A service built before the host started takes HostedTruffleNode and waits for the node.
            TruffleNode worker = await truffle.WaitForStartAsync(stoppingToken);
            TruffleOptions workerOptions = TruffleConfiguration.Read(configuration.GetSection(TruffleConfiguration.SectionName));
            await using TruffleNode visitor = await TruffleNode.StartAsync(
                workerOptions with { DeviceName = "visitor", StateDirectory = state, Metadata = new Dictionary<string, string>() },
                stoppingToken);
            await SeesAsync(visitor, worker.DeviceId).WaitAsync(Patience, stoppingToken);

            await visitor.Bus.Notes.Send(worker.DeviceId, new Greeting("hello from the visitor"), stoppingToken);
            Note note = await visitor.Bus.Notes.Request(worker.DeviceId, new GetNote("welcome"), Patience, stoppingToken);
            string greeting = await store.Greeted.Task.WaitAsync(Patience, stoppingToken);
            HealthReport report = await health.CheckHealthAsync(stoppingToken);

            Console.WriteLine($"worker handled: {greeting}");
            Console.WriteLine($"visitor got note '{note.Id}': {note.Text}");
            Console.WriteLine($"health: {report.Status} ({report.Entries["truffle"].Description})");
            Environment.ExitCode = report.Status == HealthStatus.Unhealthy ? 1 : 0;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"The visitor failed: {e}");
            Environment.ExitCode = 1;
        }
        finally
        {
            Directory.Delete(state, recursive: true);
            lifetime.StopApplication();
        }
    }

    private static Task SeesAsync(TruffleNode node, string deviceId)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (node.Devices.Any(d => d.Id == deviceId && d.IsOnline))
            {
                seen.TrySetResult();
            }
        }

        node.DeviceDiscovered += (_, _) => Check();
        node.DeviceUpdated += (_, _) => Check();
        Check();
        return seen.Task;
    }
}
