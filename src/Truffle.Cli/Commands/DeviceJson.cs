using System.Text.Json.Nodes;
using Spectre.Console;

namespace Truffle.Cli.Commands;

/// <summary>How devices are shown: JSON objects for <c>--json</c>, a table for people.</summary>
internal static class DeviceJson
{
    public static JsonObject From(TruffleDevice device, string? primaryId)
    {
        var metadata = new JsonObject();
        foreach (KeyValuePair<string, string> entry in device.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            metadata[entry.Key] = entry.Value;
        }

        var schemas = new JsonObject();
        foreach (KeyValuePair<string, string> entry in device.Schemas.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            schemas[entry.Key] = entry.Value;
        }

        return new JsonObject
        {
            ["id"] = device.Id,
            ["name"] = device.Name,
            ["type"] = device.Type,
            ["os"] = device.Os,
            ["role"] = device.Id == primaryId ? nameof(MeshRole.Primary) : device.Role.ToString(),
            ["kind"] = device.Kind.ToString(),
            ["online"] = device.IsOnline,
            ["incarnation"] = device.Incarnation,
            ["metadata"] = metadata,
            ["schemas"] = schemas,
        };
    }

    public static Table Table(IEnumerable<TruffleDevice> devices, string? primaryId)
    {
        var table = new Table().AddColumns("id", "name", "type", "role", "kind", "online", "metadata");
        foreach (TruffleDevice device in devices)
        {
            string role = device.Id == primaryId ? nameof(MeshRole.Primary) : device.Role.ToString();
            string metadata = string.Join(", ", device.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));
            table.AddRow(
                Markup.Escape(device.Id), Markup.Escape(device.Name), Markup.Escape(device.Type), role,
                device.Kind == DeviceKind.Observer ? "observer" : "member", device.IsOnline ? "yes" : "no", Markup.Escape(metadata));
        }

        return table;
    }

    /// <summary>The devices in a stable order: members first, then by name.</summary>
    public static IEnumerable<TruffleDevice> Ordered(IEnumerable<TruffleDevice> devices) =>
        devices.OrderBy(d => d.Kind).ThenBy(d => d.Name, StringComparer.Ordinal).ThenBy(d => d.Id, StringComparer.Ordinal);
}
