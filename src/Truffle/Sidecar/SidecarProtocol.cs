using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Truffle.Sidecar;

/// <summary>One event line from the sidecar: its name and its <c>data</c> object (an empty object when absent).</summary>
internal readonly record struct SidecarEvent(string Name, JsonElement Data)
{
    public string? RequestId => SidecarProtocol.OptionalString(Data, "requestId");
}

/// <summary>
/// The sidecar's control protocol (SPEC §3, protocol version 5): commands written by hand with
/// <see cref="Utf8JsonWriter"/>, events read with <see cref="JsonDocument"/> so unknown keys are simply ignored.
/// </summary>
internal static class SidecarProtocol
{
    public const int ProtocolVersion = 5;

    public const string EvtStatus = "tsnet:status";
    public const string EvtStarted = "tsnet:started";
    public const string EvtAuthRequired = "tsnet:authRequired";
    public const string EvtNeedsApproval = "tsnet:needsApproval";
    public const string EvtStopped = "tsnet:stopped";
    public const string EvtPeers = "tsnet:peers";
    public const string EvtPeerChanged = "tsnet:peerChanged";
    public const string EvtListening = "tsnet:listening";
    public const string EvtUnlistened = "tsnet:unlistened";
    public const string EvtDialResult = "bridge:dialResult";
    public const string EvtWhoisResult = "tsnet:whoisResult";
    public const string EvtError = "tsnet:error";

    public const string CodeStartError = "START_ERROR";

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static byte[] Start(SidecarStartOptions options, int bridgePort, string sessionTokenHex) =>
        Command("tsnet:start", w =>
        {
            w.WriteString("hostname", options.Hostname);
            w.WriteString("stateDir", options.StateDirectory);
            if (!string.IsNullOrEmpty(options.AuthKey))
            {
                w.WriteString("authKey", options.AuthKey);
            }

            w.WriteNumber("bridgePort", bridgePort);
            w.WriteString("sessionToken", sessionTokenHex);
            if (options.Ephemeral)
            {
                w.WriteBoolean("ephemeral", true);
            }

            if (options.Tags is { Count: > 0 } tags)
            {
                w.WriteStartArray("tags");
                foreach (string tag in tags)
                {
                    w.WriteStringValue(tag);
                }

                w.WriteEndArray();
            }

            if (options.IdleTimeout is { } idle)
            {
                w.WriteNumber("idleTimeoutSecs", Math.Max(1, (int)Math.Ceiling(idle.TotalSeconds)));
            }

            w.WriteString("backend", options.Backend == SidecarBackend.Loopback ? "loopback" : "tsnet");
            if (options.LoopbackDirectory is { } dir)
            {
                w.WriteString("loopbackDir", dir);
            }

            if (options.Backend == SidecarBackend.Loopback && options.LoopbackPorts is { Count: > 0 } ports)
            {
                w.WriteStartArray("loopbackPorts");
                foreach (int port in ports)
                {
                    w.WriteNumberValue(port);
                }

                w.WriteEndArray();
            }
        });

    public static byte[] Stop() => Command("tsnet:stop", null);

    public static byte[] GetPeers() => Command("tsnet:getPeers", null);

    public static byte[] WatchPeers() => Command("tsnet:watchPeers", null);

    public static byte[] Listen(int port) => Command("tsnet:listen", w => w.WriteNumber("port", port));

    public static byte[] Unlisten(int port) => Command("tsnet:unlisten", w => w.WriteNumber("port", port));

    public static byte[] Dial(string requestId, string target, int port) =>
        Command("bridge:dial", w =>
        {
            w.WriteString("requestId", requestId);
            w.WriteString("target", target);
            w.WriteNumber("port", port);
        });

    public static byte[] WhoIs(string address, string requestId) =>
        Command("tsnet:whois", w =>
        {
            w.WriteString("addr", address);
            w.WriteString("requestId", requestId);
        });

    /// <summary>One command line, <c>\n</c>-terminated.</summary>
    public static byte[] Command(string name, Action<Utf8JsonWriter>? writeData)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("command", name);
            writer.WriteStartObject("data");
            writeData?.Invoke(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses an event line; false for a line that is not a JSON object with a string <c>event</c>.</summary>
    public static bool TryParseEvent(ReadOnlyMemory<byte> line, out SidecarEvent parsed)
    {
        parsed = default;
        try
        {
            using var document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("event", out JsonElement name) || name.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            JsonElement data = root.TryGetProperty("data", out JsonElement d) && d.ValueKind == JsonValueKind.Object
                ? d.Clone()
                : EmptyObject;
            parsed = new SidecarEvent(name.GetString()!, data);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static SidecarStatus ParseStatus(JsonElement data) => new(
        String(data, "state"),
        String(data, "hostname"),
        String(data, "dnsName"),
        String(data, "tailscaleIP"),
        String(data, "nodeId"),
        data.TryGetProperty("protocolVersion", out JsonElement v) && v.TryGetInt32(out int version) ? version : 0);

    public static IReadOnlyList<SidecarPeer> ParsePeers(JsonElement data)
    {
        var peers = new List<SidecarPeer>();
        if (data.TryGetProperty("peers", out JsonElement array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement peer in array.EnumerateArray())
            {
                if (peer.ValueKind == JsonValueKind.Object)
                {
                    peers.Add(ParsePeer(peer));
                }
            }
        }

        return peers;
    }

    public static SidecarPeer ParsePeer(JsonElement peer)
    {
        var addresses = new List<string>();
        if (peer.TryGetProperty("tailscaleIPs", out JsonElement ips) && ips.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement ip in ips.EnumerateArray())
            {
                if (ip.ValueKind == JsonValueKind.String)
                {
                    addresses.Add(ip.GetString()!);
                }
            }
        }

        return new SidecarPeer(
            String(peer, "id"),
            String(peer, "hostname"),
            String(peer, "dnsName"),
            addresses,
            peer.TryGetProperty("online", out JsonElement online) && online.ValueKind == JsonValueKind.True,
            String(peer, "os"));
    }

    public static SidecarPeerChange ParsePeerChange(JsonElement data) => new(
        String(data, "changeType"),
        String(data, "peerId"),
        data.TryGetProperty("peer", out JsonElement peer) && peer.ValueKind == JsonValueKind.Object ? ParsePeer(peer) : null);

    /// <summary>An identity object; null when it is missing or has no DNS name.</summary>
    public static SidecarIdentity? ParseIdentity(JsonElement identity)
    {
        if (identity.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string dnsName = String(identity, "dnsName");
        return dnsName.Length == 0
            ? null
            : new SidecarIdentity(dnsName, NonEmpty(identity, "loginName"), NonEmpty(identity, "displayName"), NonEmpty(identity, "nodeId"));
    }

    /// <summary>The identity JSON of an incoming bridge header; null when empty or unreadable.</summary>
    public static SidecarIdentity? ParseIdentityJson(string json)
    {
        if (json.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return ParseIdentity(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static SidecarException ToException(SidecarEvent error) => new(
        String(error.Data, "code") is { Length: > 0 } code ? code : "UNKNOWN",
        string.Create(CultureInfo.InvariantCulture, $"Sidecar error: {String(error.Data, "message")}"));

    public static string String(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : string.Empty;

    public static string? OptionalString(JsonElement data, string name) => NonEmpty(data, name);

    private static string? NonEmpty(JsonElement data, string name) => String(data, name) is { Length: > 0 } s ? s : null;
}
