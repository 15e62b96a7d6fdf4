using System.Globalization;
using Spectre.Console;

namespace Truffle.Cli.Commands;

/// <summary>
/// What <c>truffle dev</c>'s table shows: a row per local device, then one per other device its devices have met
/// (an app pointed at the loopback network), with the envelopes each sent and received as the local devices saw
/// them, and the slices each holds. The stores are found in the devices' digests and watched without their types.
/// </summary>
internal sealed class DevView(LocalMesh mesh)
{
    private readonly Dictionary<string, RawSyncedStore> _stores = new(StringComparer.Ordinal);

    /// <summary>Builds the rows now, first opening any store a device announced since the last call.</summary>
    public IReadOnlyList<DevRow> Rows()
    {
        IReadOnlyList<TruffleNode> nodes = mesh.Nodes;
        if (nodes.Count == 0)
        {
            return [];
        }

        OpenAnnouncedStores(nodes);
        var local = new HashSet<string>(nodes.Select(n => n.DeviceId), StringComparer.Ordinal);
        var rows = new List<DevRow>();
        foreach (TruffleNode node in nodes)
        {
            rows.Add(new DevRow(
                node.DeviceId, node.Hostname, node.Role.ToString(), node.Term.ToString(CultureInfo.InvariantCulture),
                node.Devices.Count(d => d.IsOnline).ToString(CultureInfo.InvariantCulture), node.Traffic.Sent, node.Traffic.Received, Slices(node.DeviceId)));
        }

        // What the local devices saw of the others: a remote device's own traffic among apps is invisible here.
        IEnumerable<TruffleDevice> others = nodes
            .SelectMany(n => n.Devices)
            .Where(d => d.IsOnline && !local.Contains(d.Id))
            .GroupBy(d => d.Id, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(d => d.Name, StringComparer.Ordinal);
        foreach (TruffleDevice device in others)
        {
            string role = device.Kind == DeviceKind.Observer ? "Observer" : device.Role.ToString();
            rows.Add(new DevRow(
                device.Id, device.Name, role, "-", "-",
                nodes.Sum(n => n.Traffic.ReceivedFrom(device.Id)), nodes.Sum(n => n.Traffic.SentTo(device.Id)), Slices(device.Id)));
        }

        return rows;
    }

    /// <summary>The live table: the rows, and the local devices' totals as its caption.</summary>
    public Table Render()
    {
        var table = new Table().AddColumns("device", "name", "role", "term", "online peers", "sent", "received", "slices");
        foreach (DevRow row in Rows())
        {
            table.AddRow(
                row.Id, Markup.Escape(row.Name), row.Role, row.Term, row.OnlinePeers,
                row.Sent.ToString(CultureInfo.InvariantCulture), row.Received.ToString(CultureInfo.InvariantCulture), Markup.Escape(row.Slices));
        }

        IReadOnlyList<TruffleNode> nodes = mesh.Nodes;
        table.Caption(
            $"local devices: envelopes sent {nodes.Sum(n => n.Traffic.Sent)}, received {nodes.Sum(n => n.Traffic.Received)}, " +
            $"relayed {nodes.Sum(n => n.Traffic.Relayed)} · Ctrl+C stops");
        return table;
    }

    private void OpenAnnouncedStores(IReadOnlyList<TruffleNode> nodes)
    {
        // One local device watches every store: each device sends its slices to every device it meets.
        foreach (string storeId in nodes.SelectMany(n => n.Sync.AnnouncedStores).Distinct(StringComparer.Ordinal))
        {
            if (!_stores.ContainsKey(storeId))
            {
                _stores.Add(storeId, nodes[0].Sync.RawStore(storeId));
            }
        }
    }

    /// <summary>"store 42 B v2.7, ...": each store's slice of <paramref name="deviceId"/>, its size and version.</summary>
    private string Slices(string deviceId)
    {
        IEnumerable<string> held = _stores
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Where(s => s.Value.Slices.ContainsKey(deviceId))
            .Select(s =>
            {
                RawSlice slice = s.Value.Slices[deviceId];
                return string.Create(CultureInfo.InvariantCulture, $"{s.Key} {slice.Value.Length} B v{slice.Incarnation}.{slice.Seq}");
            });
        string text = string.Join(", ", held);
        return text.Length == 0 ? "-" : text;
    }
}

/// <summary>One device in <c>truffle dev</c>'s table.</summary>
internal sealed record DevRow(string Id, string Name, string Role, string Term, string OnlinePeers, long Sent, long Received, string Slices);
