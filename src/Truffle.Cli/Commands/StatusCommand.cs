using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Truffle.Cli.Commands;

/// <summary><c>truffle status</c>: the mesh at a glance.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show the mesh: primary, term, device counts, and this tool's sidecar (version and backend).");
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        SidecarInfo sidecar = await SidecarInfo.ProbeAsync(settings.SidecarPath, cancellationToken).ConfigureAwait(false);
        await using MeshSession session = await MeshSession.JoinAsync(settings, output, cancellationToken).ConfigureAwait(false);
        bool complete = await output.SpinAsync("Discovering devices…", () => session.DiscoverAsync(settings.Timeout, cancellationToken)).ConfigureAwait(false);
        TruffleNode node = session.Node;
        TruffleDevice[] online = [.. node.Devices.Where(d => d.IsOnline)];
        string? primaryName = online.FirstOrDefault(d => d.Id == node.PrimaryId)?.Name;
        var status = new JsonObject
        {
            ["app"] = settings.AppId,
            ["network"] = settings.Network.ToString().ToLowerInvariant(),
            ["device"] = node.DeviceId,
            ["primary"] = node.PrimaryId,
            ["primaryName"] = primaryName,
            ["term"] = node.Term,
            ["members"] = online.Count(d => d.Kind == DeviceKind.Member),
            ["observers"] = online.Count(d => d.Kind == DeviceKind.Observer),
            ["complete"] = complete,
            ["schemas"] = SchemaVersions(online),
            ["sidecar"] = new JsonObject { ["path"] = sidecar.Path, ["version"] = sidecar.Version },
        };
        if (output.Json)
        {
            output.JsonLine(status);
            return ExitCodes.Success;
        }

        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("app", Markup.Escape(settings.AppId ?? ""));
        grid.AddRow("network", settings.Network.ToString().ToLowerInvariant());
        grid.AddRow("primary", node.PrimaryId is null ? "none" : Markup.Escape($"{primaryName} ({node.PrimaryId})"));
        grid.AddRow("term", node.Term.ToString(System.Globalization.CultureInfo.InvariantCulture));
        grid.AddRow("devices", $"{status["members"]} members, {status["observers"]} other observers online");
        foreach ((string ns, JsonNode? versions) in (JsonObject)status["schemas"]!)
        {
            int count = ((JsonArray)versions!).Count;
            grid.AddRow($"namespace {Markup.Escape(ns)}", count == 1 ? "one schema on every device" : $"[yellow]{count} schemas in use[/]: devices run different versions of its messages");
        }

        grid.AddRow("this tool", Markup.Escape($"{node.DeviceId} (observer)"));
        grid.AddRow("sidecar", Markup.Escape($"{sidecar.Path ?? "not found"} ({sidecar.Reason}): {sidecar.Version ?? sidecar.Problem}"));
        output.Write(grid);
        if (!complete)
        {
            output.Note($"truffle: not every device the network lists answered within {settings.Timeout.TotalSeconds:0.#} s.");
        }

        return ExitCodes.Success;
    }

    /// <summary>Per wire namespace, the distinct fingerprints the online devices' hellos carried.</summary>
    private static JsonObject SchemaVersions(IEnumerable<TruffleDevice> devices)
    {
        var versions = new JsonObject();
        foreach (IGrouping<string, string> ns in devices
            .SelectMany(d => d.Schemas)
            .GroupBy(e => e.Key, e => e.Value, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            versions[ns.Key] = new JsonArray([.. ns.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(v => (JsonNode?)v)]);
        }

        return versions;
    }
}
