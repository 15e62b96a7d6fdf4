package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/bridge"
)

const waitFor = 5 * time.Second

type event struct {
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
}

func (e event) field(t *testing.T, name string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Data, &m); err != nil {
		t.Fatalf("%s data %s: %v", e.Event, e.Data, err)
	}
	return m[name]
}

// harness drives one Server over in-memory pipes.
type harness struct {
	t      *testing.T
	in     *io.PipeWriter
	events chan event
	runErr chan error
	ended  bool
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	cfg.In, cfg.Out = inR, outW
	if testing.Verbose() {
		cfg.Logger = log.New(os.Stderr, t.Name()+": ", log.Lmicroseconds)
	}
	h := &harness{t: t, in: inW, events: make(chan event, 256), runErr: make(chan error, 1)}
	s := New(cfg)
	go func() {
		err := s.Run(context.Background())
		outW.Close()
		inR.Close()
		h.runErr <- err
	}()
	go func() {
		defer close(h.events)
		sc := bufio.NewScanner(outR)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var e event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("bad event line %q: %v", sc.Text(), err)
				continue
			}
			h.events <- e
		}
	}()
	t.Cleanup(func() {
		if !h.ended {
			h.in.Close()
			select {
			case <-h.runErr:
			case <-time.After(waitFor):
				t.Errorf("Run did not return after input closed")
			}
		}
	})
	return h
}

func (h *harness) send(line string) {
	h.t.Helper()
	if _, err := io.WriteString(h.in, line+"\n"); err != nil {
		h.t.Fatalf("write command: %v", err)
	}
}

func (h *harness) sendCmd(name string, data any) {
	h.t.Helper()
	b, err := json.Marshal(map[string]any{"command": name, "data": data})
	if err != nil {
		h.t.Fatal(err)
	}
	h.send(string(b))
}

// next returns the next event.
func (h *harness) next() event {
	h.t.Helper()
	select {
	case e, ok := <-h.events:
		if !ok {
			h.t.Fatalf("event stream ended")
		}
		return e
	case <-time.After(waitFor):
		h.t.Fatalf("no event within %v", waitFor)
	}
	return event{}
}

// await returns the next event named name, skipping tsnet:peerChanged events and failing on any other.
func (h *harness) await(name string) event {
	h.t.Helper()
	for {
		e := h.next()
		if e.Event == name {
			return e
		}
		if e.Event != "tsnet:peerChanged" {
			h.t.Fatalf("want %s, got %s %s", name, e.Event, e.Data)
		}
	}
}

// expectError awaits a tsnet:error and checks its code, message and requestId.
func (h *harness) expectError(code, message, requestID string) {
	h.t.Helper()
	e := h.await("tsnet:error")
	var d struct{ Code, Message, RequestID string }
	if err := json.Unmarshal(e.Data, &d); err != nil {
		h.t.Fatal(err)
	}
	if d.Code != code || (message != "" && d.Message != message) || d.RequestID != requestID {
		h.t.Fatalf("error = %s, want code %s message %q requestId %q", e.Data, code, message, requestID)
	}
}

// end closes the input and checks that Run returns nil.
func (h *harness) end() {
	h.t.Helper()
	h.in.Close()
	select {
	case err := <-h.runErr:
		h.ended = true
		if err != nil {
			h.t.Fatalf("Run = %v, want nil", err)
		}
	case <-time.After(waitFor):
		h.t.Fatalf("Run did not return after input closed")
	}
}

const testToken = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func startData(hostname, registry string, bridgePort int, stateDir string) map[string]any {
	return map[string]any{
		"hostname": hostname, "stateDir": stateDir, "bridgePort": bridgePort, "sessionToken": testToken,
		"backend": "loopback", "loopbackDir": registry,
		// Claim an address whose 9417 is free: other loopback networks on this machine (other test runs) listen there.
		"loopbackPorts": []int{9417},
	}
}

func TestProtocolErrors(t *testing.T) {
	h := newHarness(t, Config{MaxLine: 64})
	h.send(`{"command":"tsnet:status"}`)
	h.expectError("UNKNOWN_CMD", "unknown command: tsnet:status", "")
	h.send(`{"command":"tsnet:bogus","data":{"requestId":"u1"}}`)
	h.expectError("UNKNOWN_CMD", "unknown command: tsnet:bogus", "u1")
	h.send(`not json`)
	h.expectError("PARSE_ERROR", "failed to parse command: invalid character 'o' in literal null (expecting 'u')", "")
	h.send(`{"command":"tsnet:getPeers","data":{"pad":"` + strings.Repeat("x", 100) + `"}}`)
	h.expectError("COMMAND_TOO_LARGE", "", "")
	// The stream stays in sync after the oversized line.
	h.send(`{"command":"tsnet:getPeers"}`)
	h.expectError("NOT_RUNNING", "node not running", "")
	h.end()
	if e := h.next(); e.Event != "tsnet:stopped" {
		t.Fatalf("after EOF got %s, want tsnet:stopped", e.Event)
	}
}

func TestNotRunning(t *testing.T) {
	h := newHarness(t, Config{})
	for _, c := range []string{"tsnet:getPeers", "tsnet:listen", "tsnet:unlisten", "tsnet:watchPeers", "tsnet:whois"} {
		h.sendCmd(c, map[string]any{"requestId": "q-" + c, "port": 1, "addr": "127.0.0.2"})
		h.expectError("NOT_RUNNING", "node not running", "q-"+c)
	}
	h.sendCmd("bridge:dial", map[string]any{"requestId": "r1", "target": "x.loopback", "port": 1})
	e := h.await("bridge:dialResult")
	if string(e.Data) != `{"requestId":"r1","success":false,"error":"node not running"}` {
		t.Fatalf("dialResult = %s", e.Data)
	}
	h.sendCmd("bridge:dial", map[string]any{"target": "x.loopback", "port": 1})
	h.expectError("DIAL_ERROR", "", "")
	h.send(`{"command":"tsnet:stop"}`)
	if e := h.next(); e.Event != "tsnet:stopped" || len(e.Data) != 0 {
		t.Fatalf("got %s %s, want tsnet:stopped without data", e.Event, e.Data)
	}
}

func TestStartValidation(t *testing.T) {
	h := newHarness(t, Config{})
	reg := t.TempDir()
	h.sendCmd("tsnet:start", map[string]any{"hostname": "a"})
	h.expectError("START_ERROR", "sessionToken must be 64 hex chars (32 bytes)", "")
	d := startData("a", reg, 0, "")
	h.sendCmd("tsnet:start", d)
	h.expectError("START_ERROR", "bridgePort must be between 1 and 65535", "")
	d = startData("", reg, 1, "")
	h.sendCmd("tsnet:start", d)
	h.expectError("START_ERROR", "hostname is required", "")
	d = startData("a", reg, 1, "")
	delete(d, "backend")
	h.sendCmd("tsnet:start", d)
	h.expectError("START_ERROR", MsgStateDirRequired, "")
	d = startData("a", reg, 1, t.TempDir())
	delete(d, "backend")
	h.sendCmd("tsnet:start", d)
	h.expectError("START_ERROR", MsgTsnetNotBuilt, "")
	d = startData("a", "", 1, "")
	h.sendCmd("tsnet:start", d)
	h.expectError("START_ERROR", "loopbackDir is required for the loopback backend", "")
	// Nothing was started by the failures.
	h.sendCmd("tsnet:getPeers", nil)
	h.expectError("NOT_RUNNING", "node not running", "")
	// A backend that fails to start reports START_ERROR after "starting" and leaves the node startable.
	h.sendCmd("tsnet:start", startData("bad name", reg, 1, ""))
	h.await("tsnet:status")
	h.expectError("START_ERROR", `loopback: invalid hostname "bad name"`, "")
	startNode(t, h, "good", reg, 1)
}

func TestIdentityJSON(t *testing.T) {
	id := backend.Identity{DNSName: "a.loopback", LoginName: "a@loopback", DisplayName: "a", NodeID: "n1"}
	if got := IdentityJSON(id); got != `{"dnsName":"a.loopback","loginName":"a@loopback","displayName":"a","nodeId":"n1"}` {
		t.Fatalf("IdentityJSON = %s", got)
	}
	id.DisplayName = strings.Repeat("d", bridge.MaxIdentity)
	if got := IdentityJSON(id); got != `{"dnsName":"a.loopback","loginName":"a@loopback","displayName":"","nodeId":"n1"}` {
		t.Fatalf("IdentityJSON with a long display name = %s", got)
	}
	id.DNSName = strings.Repeat("x", bridge.MaxIdentity)
	if got := IdentityJSON(id); got != "" {
		t.Fatalf("IdentityJSON with a long DNS name = %q, want empty", got)
	}
}
