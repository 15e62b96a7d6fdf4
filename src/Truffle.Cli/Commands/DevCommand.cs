using System.CommandLine;
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
        var command = new Command("dev", "Run N local devices on a loopback network with a live table (devices, roles, terms, messages sent and received, slices); Ctrl+C stops them.")
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
        var view = new DevView(mesh);
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
                await output.Console.Live(view.Render()).StartAsync(async live =>
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        await mesh.WaitForChangeAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                        live.UpdateTarget(view.Render());
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
}
