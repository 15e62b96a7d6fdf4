using System.CommandLine;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Truffle.Cli.Commands;

/// <summary>
/// <c>truffle dev</c>: N local devices (members, not observers) on a loopback network, with a live table, and the
/// <c>--loopback-dir</c> to point an app or another <c>truffle</c> at. Ctrl+C stops them with a goodbye.
/// </summary>
internal static class DevCommand
{
    private static readonly Option<int> Nodes = new("--nodes") { Description = "How many local devices to start.", DefaultValueFactory = _ => 3 };

    public static Command Create()
    {
        var command = new Command("dev", "Run N local devices on a loopback network with a live table (device, role, term, messages); Ctrl+C stops them.")
        {
            Nodes,
        };
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        int count = parse.GetValue(Nodes);
        if (count is < 1 or > 32)
        {
            throw new CliException(ExitCodes.Usage, "--nodes must be between 1 and 32.");
        }

        string app = settings.AppId ?? "dev";
        string root = Directory.CreateTempSubdirectory("truffle-dev-").FullName;
        string registry = settings.LoopbackDirectory ?? Path.Combine(root, "registry");
        await using var mesh = new LocalMesh();
        using var traffic = new TrafficCounter();
        try
        {
            for (int i = 0; i < count; i++)
            {
                string name = "dev-" + (i + 1).ToString(CultureInfo.InvariantCulture);
                await mesh.StartAsync(new TruffleOptions
                {
                    AppId = app,
                    DeviceName = name,
                    StateDirectory = Path.Combine(settings.StateDirectory ?? root, name),
                    Network = TruffleNetwork.Loopback,
                    LoopbackDirectory = registry,
                    SidecarPath = settings.SidecarPath,
                }, cancellationToken).ConfigureAwait(false);
            }

            string hint = $"truffle peers --app {app} --loopback-dir {registry}";
            if (output.Json)
            {
                output.JsonLine(new JsonObject { ["event"] = "ready", ["app"] = app, ["loopbackDir"] = registry, ["nodes"] = count });
            }
            else
            {
                output.Line($"{count} devices of app '{app}' on the loopback network {registry}");
                output.Line($"point an app at it with Network = Loopback, LoopbackDirectory = \"{registry}\", or run: {hint}");
            }

            if (output.Interactive)
            {
                await output.Console.Live(Render(mesh, traffic)).StartAsync(async live =>
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        await mesh.WaitForChangeAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                        live.UpdateTarget(Render(mesh, traffic));
                    }
                }).ConfigureAwait(false);
            }
            else
            {
                string last = "";
                while (!cancellationToken.IsCancellationRequested)
                {
                    string now = Describe(mesh);
                    if (now != last)
                    {
                        Report(output, mesh);
                        last = now;
                    }

                    await mesh.WaitForChangeAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await mesh.DisposeAsync().ConfigureAwait(false);
            TryDelete(root);
        }

        return ExitCodes.Success;
    }

    private static Table Render(LocalMesh mesh, TrafficCounter traffic)
    {
        var table = new Table().AddColumns("device", "name", "role", "term", "primary", "online peers");
        foreach (TruffleNode node in mesh.Nodes)
        {
            table.AddRow(
                node.DeviceId, Markup.Escape(node.Hostname), node.Role.ToString(), node.Term.ToString(CultureInfo.InvariantCulture),
                node.PrimaryId ?? "-", node.Devices.Count(d => d.IsOnline).ToString(CultureInfo.InvariantCulture));
        }

        table.Caption($"envelopes sent {traffic.Sent}, received {traffic.Received}, relayed {traffic.Relayed} · Ctrl+C stops");
        return table;
    }

    private static string Describe(LocalMesh mesh) =>
        string.Join(";", mesh.Nodes.Select(n => $"{n.DeviceId}/{n.Role}/{n.Term}/{n.PrimaryId}/{n.Devices.Count(d => d.IsOnline)}"));

    private static void Report(Output output, LocalMesh mesh)
    {
        foreach (TruffleNode node in mesh.Nodes)
        {
            int online = node.Devices.Count(d => d.IsOnline);
            if (output.Json)
            {
                output.JsonLine(new JsonObject
                {
                    ["event"] = "device", ["id"] = node.DeviceId, ["role"] = node.Role.ToString(), ["term"] = node.Term,
                    ["primary"] = node.PrimaryId, ["onlinePeers"] = online,
                });
            }
            else
            {
                output.Line($"{node.DeviceId} {node.Role} term {node.Term} primary {node.PrimaryId ?? "-"} online peers {online}");
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temporary folder; harmless.
        }
    }

    /// <summary>The process's envelope counters from the <c>Truffle</c> meter (all local devices together).</summary>
    private sealed class TrafficCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _sent;
        private long _received;
        private long _relayed;

        public TrafficCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Truffle" && instrument.Name is "truffle.mesh.sent" or "truffle.mesh.received" or "truffle.mesh.relayed")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                switch (instrument.Name)
                {
                    case "truffle.mesh.sent": Interlocked.Add(ref _sent, value); break;
                    case "truffle.mesh.received": Interlocked.Add(ref _received, value); break;
                    default: Interlocked.Add(ref _relayed, value); break;
                }
            });
            _listener.Start();
        }

        public long Sent => Interlocked.Read(ref _sent);

        public long Received => Interlocked.Read(ref _received);

        public long Relayed => Interlocked.Read(ref _relayed);

        public void Dispose() => _listener.Dispose();
    }
}
