package proto

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		wantCmd string
		wantErr string
	}{
		{"plain", `{"command":"tsnet:stop"}`, CmdStop, ""},
		{"unknown keys ignored", `{"command":"tsnet:getPeers","extra":1,"data":{"x":[1,2]},"more":{}}`, CmdGetPeers, ""},
		{"no command is not a parse error", `{}`, "", ""},
		{"not json", `not json`, "", "failed to parse command: invalid character 'o' in literal null (expecting 'u')"},
		{"wrong type", `{"command":5}`, "", "failed to parse command: "},
		{"array", `[1]`, "", "failed to parse command: "},
		{"truncated", `{"command":"tsnet:stop"`, "", "failed to parse command: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCommand([]byte(tt.line))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || c.Command != tt.wantCmd {
				t.Fatalf("got %q, %v; want %q", c.Command, err, tt.wantCmd)
			}
		})
	}
}

func TestCommandDecode(t *testing.T) {
	tests := []struct {
		name string
		line string
		into any
		want any
	}{
		{
			"start with every field and unknown keys",
			`{"command":"tsnet:start","data":{"hostname":"h","stateDir":"/s","authKey":"k","bridgePort":4242,` +
				`"sessionToken":"ab","ephemeral":true,"tags":["tag:a"],"idleTimeoutSecs":30,"backend":"loopback",` +
				`"loopbackDir":"/l","future":"ignored"}}`,
			&StartData{},
			&StartData{Hostname: "h", StateDir: "/s", AuthKey: "k", BridgePort: 4242, SessionToken: "ab",
				Ephemeral: true, Tags: []string{"tag:a"}, IdleTimeoutSecs: 30, Backend: "loopback", LoopbackDir: "/l"},
		},
		{"listen", `{"command":"tsnet:listen","data":{"port":9417,"tls":true}}`, &ListenData{}, &ListenData{Port: 9417, TLS: true}},
		{"unlisten", `{"command":"tsnet:unlisten","data":{"port":1}}`, &UnlistenData{}, &UnlistenData{Port: 1}},
		{
			"dial", `{"command":"bridge:dial","data":{"requestId":"r1","target":"peer.ts.net","port":9417,"tls":false}}`,
			&DialData{}, &DialData{RequestID: "r1", Target: "peer.ts.net", Port: 9417},
		},
		{"whois", `{"command":"tsnet:whois","data":{"addr":"100.64.0.5:1234","requestId":"w1"}}`, &WhoisData{}, &WhoisData{Addr: "100.64.0.5:1234", RequestID: "w1"}},
		{"absent data", `{"command":"tsnet:listen"}`, &ListenData{}, &ListenData{}},
		{"null data", `{"command":"tsnet:listen","data":null}`, &ListenData{}, &ListenData{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCommand([]byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Decode(tt.into); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tt.into, tt.want) {
				t.Fatalf("got %+v, want %+v", tt.into, tt.want)
			}
		})
	}
}

func TestCommandDecodeRejectsWrongTypes(t *testing.T) {
	c, _ := ParseCommand([]byte(`{"command":"tsnet:listen","data":{"port":"x"}}`))
	var d ListenData
	if err := c.Decode(&d); err == nil {
		t.Fatal("a string port decoded without error")
	}
}

func TestCommandRequestID(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"command":"tsnet:whois","data":{"addr":"a","requestId":"w1"}}`, "w1"},
		{`{"command":"tsnet:getPeers","data":{"requestId":"g7"}}`, "g7"},
		{`{"command":"tsnet:getPeers"}`, ""},
		{`{"command":"tsnet:whois","data":{"requestId":5}}`, ""},
		{`{"command":"tsnet:whois","data":"text"}`, ""},
	}
	for _, tt := range tests {
		c, err := ParseCommand([]byte(tt.line))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.RequestID(); got != tt.want {
			t.Errorf("%s: RequestID %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestStartDataDefaults(t *testing.T) {
	var s StartData
	if s.IdleTimeout() != 600*time.Second || s.BackendName() != BackendTsnet {
		t.Fatalf("defaults: %v, %q", s.IdleTimeout(), s.BackendName())
	}
	s = StartData{IdleTimeoutSecs: 5, Backend: BackendLoopback}
	if s.IdleTimeout() != 5*time.Second || s.BackendName() != BackendLoopback {
		t.Fatalf("set: %v, %q", s.IdleTimeout(), s.BackendName())
	}
}

// TestEventJSON pins every event's exact field names against the protocol text.
func TestEventJSON(t *testing.T) {
	peer := backend.Peer{ID: "n1", Hostname: "h1", DNSName: "h1.ts.net.", TailscaleIPs: []string{"100.64.0.1"},
		Online: true, OS: "linux", CurAddr: "1.2.3.4:41641", Relay: "fra", LastSeen: "2024-01-01T00:00:00Z",
		KeyExpiry: "2025-01-01T00:00:00Z", Expired: true}
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"status starting", Event{EvtStatus, StatusData{State: "starting", Hostname: "h", ProtocolVersion: ProtocolVersion}},
			`{"event":"tsnet:status","data":{"state":"starting","hostname":"h","protocolVersion":5}}`},
		{"status running", Event{EvtStatus, StatusData{State: "running", Hostname: "h", DNSName: "h.ts.net.", TailscaleIP: "100.64.0.1", ProtocolVersion: ProtocolVersion}},
			`{"event":"tsnet:status","data":{"state":"running","hostname":"h","dnsName":"h.ts.net.","tailscaleIP":"100.64.0.1","protocolVersion":5}}`},
		{"started", Event{EvtStarted, StartedData{State: "running", Hostname: "h", DNSName: "h.ts.net.", TailscaleIP: "100.64.0.1", NodeID: "n1", ProtocolVersion: ProtocolVersion}},
			`{"event":"tsnet:started","data":{"state":"running","hostname":"h","dnsName":"h.ts.net.","tailscaleIP":"100.64.0.1","nodeId":"n1","protocolVersion":5}}`},
		{"authRequired", Event{EvtAuthRequired, AuthRequiredData{AuthURL: "https://login/x"}},
			`{"event":"tsnet:authRequired","data":{"authUrl":"https://login/x"}}`},
		{"needsApproval has no data", Event{Event: EvtNeedsApproval}, `{"event":"tsnet:needsApproval"}`},
		{"stopped has no data", Event{Event: EvtStopped}, `{"event":"tsnet:stopped"}`},
		{"no peers is an empty list", Event{EvtPeers, NewPeersData(nil)}, `{"event":"tsnet:peers","data":{"peers":[]}}`},
		{"peers with every field", Event{EvtPeers, NewPeersData([]backend.Peer{peer})},
			`{"event":"tsnet:peers","data":{"peers":[{"id":"n1","hostname":"h1","dnsName":"h1.ts.net.","tailscaleIPs":["100.64.0.1"],` +
				`"online":true,"os":"linux","curAddr":"1.2.3.4:41641","relay":"fra","lastSeen":"2024-01-01T00:00:00Z",` +
				`"keyExpiry":"2025-01-01T00:00:00Z","expired":true}]}}`},
		{"peer optional fields omitted", Event{EvtPeers, NewPeersData([]backend.Peer{{ID: "n2", Hostname: "h2", DNSName: "h2.", TailscaleIPs: []string{}, OS: "windows"}})},
			`{"event":"tsnet:peers","data":{"peers":[{"id":"n2","hostname":"h2","dnsName":"h2.","tailscaleIPs":[],"online":false,"os":"windows"}]}}`},
		{"peer joined", Event{EvtPeerChanged, NewPeerChangedData(backend.PeerChange{ChangeType: "joined", PeerID: "n2", Peer: &backend.Peer{ID: "n2", Hostname: "h2", DNSName: "h2.", TailscaleIPs: []string{"100.64.0.2"}, Online: true, OS: "linux"}})},
			`{"event":"tsnet:peerChanged","data":{"changeType":"joined","peerId":"n2","peer":{"id":"n2","hostname":"h2","dnsName":"h2.","tailscaleIPs":["100.64.0.2"],"online":true,"os":"linux"}}}`},
		{"peer left has no peer", Event{EvtPeerChanged, NewPeerChangedData(backend.PeerChange{ChangeType: "left", PeerID: "n2"})},
			`{"event":"tsnet:peerChanged","data":{"changeType":"left","peerId":"n2"}}`},
		{"listening", Event{EvtListening, ListeningData{Port: 10002}}, `{"event":"tsnet:listening","data":{"port":10002}}`},
		{"unlistened", Event{EvtUnlistened, UnlistenedData{Port: 9417}}, `{"event":"tsnet:unlistened","data":{"port":9417}}`},
		{"dial failed", Event{EvtDialResult, DialResultData{RequestID: "r1", Error: "node not running"}},
			`{"event":"bridge:dialResult","data":{"requestId":"r1","success":false,"error":"node not running"}}`},
		{"whois found", Event{EvtWhoisResult, WhoisResultData{Addr: "100.64.0.5:1234", Identity: &backend.Identity{DNSName: "p.ts.net.", LoginName: "a@b", DisplayName: "A", NodeID: "n5"}, RequestID: "w1"}},
			`{"event":"tsnet:whoisResult","data":{"addr":"100.64.0.5:1234","identity":{"dnsName":"p.ts.net.","loginName":"a@b","displayName":"A","nodeId":"n5"},"requestId":"w1"}}`},
		{"whois failed", Event{EvtWhoisResult, WhoisResultData{Addr: "100.64.0.5:1234", Error: "whois lookup failed: peer not found", RequestID: "w2"}},
			`{"event":"tsnet:whoisResult","data":{"addr":"100.64.0.5:1234","error":"whois lookup failed: peer not found","requestId":"w2"}}`},
		{"whois without request id", Event{EvtWhoisResult, WhoisResultData{Addr: "100.64.0.5", Error: "x"}},
			`{"event":"tsnet:whoisResult","data":{"addr":"100.64.0.5","error":"x"}}`},
		{"error echoes request id", ErrorEvent(CodeNotRunning, "node not running", "w1"),
			`{"event":"tsnet:error","data":{"code":"NOT_RUNNING","message":"node not running","requestId":"w1"}}`},
		{"error without request id", ErrorEvent(CodeUnknownCmd, "unknown command: tsnet:status", ""),
			`{"event":"tsnet:error","data":{"code":"UNKNOWN_CMD","message":"unknown command: tsnet:status"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			// Compare exactly: field order is fixed by the structs and the host may log lines verbatim.
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	got := []string{CodeParseError, CodeUnknownCmd, CodeCommandTooLarge, CodeStartError, CodeNotRunning,
		CodePeersError, CodeDialError, CodeListenError, CodeUnlistenError, CodeWhoisError, CodeWatchPeersError}
	want := "PARSE_ERROR, UNKNOWN_CMD, COMMAND_TOO_LARGE, START_ERROR, NOT_RUNNING, PEERS_ERROR, DIAL_ERROR, " +
		"LISTEN_ERROR, UNLISTEN_ERROR, WHOIS_ERROR, WATCH_PEERS_ERROR"
	if strings.Join(got, ", ") != want {
		t.Fatalf("codes %v", got)
	}
}

// TestWriterLinesDoNotInterleave sends from many goroutines and checks every line is one whole event.
func TestWriterLinesDoNotInterleave(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	const goroutines, each = 16, 200
	big := strings.Repeat("x", 4096) // large enough that a torn write would show
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := w.SendError(CodeDialError, big, "r"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != goroutines*each {
		t.Fatalf("%d lines, want %d", len(lines), goroutines*each)
	}
	for _, l := range lines {
		var e struct {
			Event string    `json:"event"`
			Data  ErrorData `json:"data"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Event != EvtError || e.Data.Message != big {
			t.Fatalf("torn line (err %v): %.80s", err, l)
		}
	}
}

func TestWriterRejectsUnmarshalableData(t *testing.T) {
	var buf bytes.Buffer
	if err := NewWriter(&buf).Send(Event{Event: "x", Data: make(chan int)}); err == nil {
		t.Fatal("no error for unmarshalable data")
	}
	if buf.Len() != 0 {
		t.Fatalf("wrote %q after a failed marshal", buf.String())
	}
}

func FuzzParseCommand(f *testing.F) {
	f.Add([]byte(`{"command":"tsnet:start","data":{"hostname":"h","bridgePort":1,"tags":["a"]}}`))
	f.Add([]byte(`{"command":"tsnet:whois","data":{"addr":"1.2.3.4","requestId":"w"}}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(`{"command":"x","data":null}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := ParseCommand(line)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "failed to parse command: ") {
				t.Fatalf("error without the protocol prefix: %v", err)
			}
			if c.Command != "" || c.Data != nil {
				t.Fatalf("partial command returned with an error: %+v", c)
			}
			return
		}
		// Whatever parses can be decoded into every data shape without panicking, and re-marshals.
		for _, v := range []any{&StartData{}, &ListenData{}, &UnlistenData{}, &DialData{}, &WhoisData{}} {
			_ = c.Decode(v)
		}
		_ = c.RequestID()
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("parsed command does not re-marshal: %v", err)
		}
		again, err := ParseCommand(out)
		if err != nil || again.Command != c.Command {
			t.Fatalf("round trip changed the command: %q -> %q (%v)", c.Command, again.Command, err)
		}
	})
}
