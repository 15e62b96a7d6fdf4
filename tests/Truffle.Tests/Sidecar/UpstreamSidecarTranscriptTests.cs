using System.Text;
using Truffle.Sidecar;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Sidecar;

/// <summary>
/// <c>SidecarPath</c> may name the published upstream Truffle sidecar (sidecar-slim 0.7.14, protocol 5, MIT). That
/// binary joins Tailscale's real network, so it never runs in a test: a bash stand-in replays the exchange recorded
/// from it offline (shared research, truffle-original.md §A.12–A.13) — silence at launch, <c>START_ERROR</c> for a
/// start without a 64-hex session token, <c>tsnet:stopped</c> without data, <c>UNKNOWN_CMD</c> for anything it does
/// not know, exit 0 when stdin ends — and opens outgoing bridge connections with its <c>TRFF</c> header.
/// </summary>
public sealed class UpstreamSidecarTranscriptTests : IDisposable
{
    private const string UpstreamStandIn = """
        log=$(dirname "$0")/commands.log
        field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$line"; }
        emit() { printf '%s\n' "$1"; }
        u16() { printf '\\x%02x\\x%02x' $(( $1 >> 8 )) $(( $1 & 255 )); }
        str() { u16 ${#1}; printf '%s' "$1"; }
        started=
        while IFS= read -r line; do
          command=$(field command)
          echo "$command" >>"$log"
          case "$command" in
            tsnet:start)
              token=$(field sessionToken); bridge=$(field bridgePort); host=$(field hostname)
              if ! [[ $token =~ ^[0-9a-f]{64}$ ]] || [ -z "$bridge" ]; then
                emit '{"event":"tsnet:error","data":{"code":"START_ERROR","message":"sessionToken must be 64 hex chars (32 bytes)"}}'
              elif [ -n "$started" ]; then
                emit '{"event":"tsnet:error","data":{"code":"START_ERROR","message":"node already started"}}'
              else
                started=1
                emit "{\"event\":\"tsnet:status\",\"data\":{\"state\":\"starting\",\"hostname\":\"$host\",\"protocolVersion\":5}}"
                emit "{\"event\":\"tsnet:status\",\"data\":{\"state\":\"running\",\"hostname\":\"$host\",\"dnsName\":\"$host.tail1234.ts.net\",\"tailscaleIP\":\"100.64.0.7\",\"protocolVersion\":5}}"
                emit "{\"event\":\"tsnet:started\",\"data\":{\"state\":\"running\",\"hostname\":\"$host\",\"dnsName\":\"$host.tail1234.ts.net\",\"tailscaleIP\":\"100.64.0.7\",\"nodeId\":\"nSTANDIN7CNTRL\",\"protocolVersion\":5}}"
              fi ;;
            tsnet:listen) emit "{\"event\":\"tsnet:listening\",\"data\":{\"port\":$(field port)}}" ;;
            tsnet:watchPeers) ;;
            tsnet:getPeers)
              emit '{"event":"tsnet:peers","data":{"peers":[{"id":"nPEER8CNTRL","hostname":"other-app-desktop-1","dnsName":"other-app-desktop-1.tail1234.ts.net","tailscaleIPs":["100.64.0.8","fd7a:115c:a1e0::8"],"online":true,"os":"linux","curAddr":"192.0.2.1:41641","relay":"fra","lastSeen":"2026-08-01T11:00:00Z","keyExpiry":"2027-01-02T03:04:05Z","expired":false}]}}' ;;
            tsnet:whois)
              emit "{\"event\":\"tsnet:whoisResult\",\"data\":{\"addr\":\"$(field addr)\",\"error\":\"whois lookup failed: peer not found\",\"requestId\":\"$(field requestId)\"}}" ;;
            bridge:dial)
              target=$(field target); port=$(field port)
              exec 3<>"/dev/tcp/127.0.0.1/$bridge"
              printf "TRFF\\x01$(sed 's/../\\x&/g' <<<"$token")\\x02$(u16 "$port")$(str "$(field requestId)")$(str "$target:$port")$(str "$target")" >&3
              cat <&3 >&3 &
              exec 3>&- ;;
            tsnet:stop) emit '{"event":"tsnet:stopped"}' ;;
            *) emit "{\"event\":\"tsnet:error\",\"data\":{\"code\":\"UNKNOWN_CMD\",\"message\":\"unknown command: $command\"}}" ;;
          esac
        done
        kill $(jobs -p) 2>/dev/null
        emit '{"event":"tsnet:stopped"}'
        """;

    /// <summary>Every command the upstream sidecar answers (anything else gets UNKNOWN_CMD).</summary>
    private static readonly HashSet<string> UpstreamCommands = new(StringComparer.Ordinal)
    {
        "tsnet:start", "tsnet:stop", "tsnet:getPeers", "tsnet:watchPeers", "tsnet:listen", "tsnet:unlisten",
        "bridge:dial", "tsnet:whois", "tsnet:ping", "tsnet:listenPacket", "tsnet:unlistenPacket", "proxy:add",
        "proxy:remove", "proxy:list",
    };

    private readonly string _root = Directory.CreateTempSubdirectory("truffle-upstream-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string StandIn
    {
        get
        {
            string path = Path.Combine(_root, "sidecar-slim");
            if (!File.Exists(path))
            {
                File.WriteAllText(path, "#!/bin/bash\n" + UpstreamStandIn + "\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            return path;
        }
    }

    private string[] CommandsSent => File.ReadAllLines(Path.Combine(_root, "commands.log"));

    [Fact]
    public async Task Client_drives_the_upstream_sidecar_through_start_peers_whois_dial_and_stop()
    {
        await using var client = new SidecarClient(StandIn);

        SidecarStatus status = await client.StartAsync(new SidecarStartOptions
        {
            Hostname = "transcript-desktop-1",
            StateDirectory = _root,
            Backend = SidecarBackend.Tailscale,
        }).WaitAsync(Test.Timeout);
        int port = await client.ListenAsync(9417).WaitAsync(Test.Timeout);
        SidecarPeer peer = Assert.Single(await client.GetPeersAsync().WaitAsync(Test.Timeout));
        SidecarIdentity? nobody = await client.WhoIsAsync("100.64.0.9:1234").WaitAsync(Test.Timeout);
        await using BridgeConnection dialed = await client.DialAsync("other-app-desktop-1.tail1234.ts.net", 9417).WaitAsync(Test.Timeout);
        await dialed.Stream.WriteAsync("hello over the bridge"u8.ToArray());
        byte[] echoed = new byte[21];
        await dialed.Stream.ReadExactlyAsync(echoed).AsTask().WaitAsync(Test.Timeout);
        await client.StopAsync().WaitAsync(Test.Timeout);

        Assert.Equal(("running", 5, "transcript-desktop-1.tail1234.ts.net", "nSTANDIN7CNTRL"), (status.State, status.ProtocolVersion, status.DnsName, status.NodeId));
        Assert.Equal(9417, port);
        Assert.Equal(("other-app-desktop-1", true, "linux"), (peer.Hostname, peer.Online, peer.OS));
        Assert.Equal(["100.64.0.8", "fd7a:115c:a1e0::8"], peer.Addresses);
        Assert.Null(nobody);
        Assert.Equal(BridgeDirection.Outgoing, dialed.Direction);
        Assert.Equal("hello over the bridge", Encoding.ASCII.GetString(echoed));
        Assert.All(CommandsSent, command => Assert.Contains(command, UpstreamCommands));
    }

    [Fact]
    public async Task Node_starts_on_the_upstream_sidecar_named_by_SidecarPath_and_stops_it()
    {
        var node = await TruffleNode.StartAsync(new TruffleOptions
        {
            AppId = "transcript",
            StateDirectory = Path.Combine(_root, "state"),
            SidecarPath = StandIn,
        }).WaitAsync(Test.Timeout);
        string hostname = node.Hostname;
        await node.DisposeAsync().AsTask().WaitAsync(Test.Timeout);

        Assert.StartsWith("transcript-desktop-", hostname, StringComparison.Ordinal);
        Assert.Equal("tsnet:start", CommandsSent[0]);
        Assert.Contains("tsnet:listen", CommandsSent);
        Assert.Contains("tsnet:getPeers", CommandsSent);
        Assert.Contains("tsnet:stop", CommandsSent);
        Assert.All(CommandsSent, command => Assert.Contains(command, UpstreamCommands));
    }
}
