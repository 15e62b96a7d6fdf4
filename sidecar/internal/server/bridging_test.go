package server

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/bridge"
)

// bridgeStandIn is a test TCP listener playing one host's bridge.
type bridgeStandIn struct {
	port  int
	conns chan net.Conn
}

func newBridge(t *testing.T) *bridgeStandIn {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	b := &bridgeStandIn{port: l.Addr().(*net.TCPAddr).Port, conns: make(chan net.Conn, 8)}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			b.conns <- c
		}
	}()
	return b
}

// accept returns the next bridged connection and its header.
func (b *bridgeStandIn) accept(t *testing.T) (net.Conn, bridge.Header) {
	t.Helper()
	select {
	case c := <-b.conns:
		_ = c.SetReadDeadline(time.Now().Add(waitFor))
		h, err := bridge.ReadHeader(c)
		if err != nil {
			t.Fatalf("read bridge header: %v", err)
		}
		_ = c.SetReadDeadline(time.Time{})
		return c, h
	case <-time.After(waitFor):
		t.Fatalf("no bridge connection within %v", waitFor)
	}
	return nil, bridge.Header{}
}

type started struct {
	State, Hostname, DNSName, TailscaleIP, NodeID string
	ProtocolVersion                               int
}

// startNode starts a loopback node and checks the start events.
func startNode(t *testing.T, h *harness, hostname, registry string, bridgePort int) started {
	t.Helper()
	h.sendCmd("tsnet:start", startData(hostname, registry, bridgePort, t.TempDir()))
	e := h.await("tsnet:status")
	if string(e.Data) != fmt.Sprintf(`{"state":"starting","hostname":%q,"protocolVersion":5}`, hostname) {
		t.Fatalf("starting status = %s", e.Data)
	}
	e = h.await("tsnet:status")
	var st started
	if err := json.Unmarshal(e.Data, &st); err != nil {
		t.Fatal(err)
	}
	if st.State != "running" || st.Hostname != hostname || st.DNSName != hostname+".loopback" ||
		!strings.HasPrefix(st.TailscaleIP, "127.") || st.ProtocolVersion != 5 {
		t.Fatalf("running status = %s", e.Data)
	}
	e = h.await("tsnet:started")
	var sd started
	if err := json.Unmarshal(e.Data, &sd); err != nil {
		t.Fatal(err)
	}
	if sd.State != "running" || sd.Hostname != hostname || sd.DNSName != st.DNSName ||
		sd.TailscaleIP != st.TailscaleIP || sd.NodeID == "" || sd.ProtocolVersion != 5 {
		t.Fatalf("started = %s", e.Data)
	}
	return sd
}

func TestStartStop(t *testing.T) {
	h := newHarness(t, Config{})
	reg := t.TempDir()
	br := newBridge(t)
	startNode(t, h, "solo", reg, br.port)
	h.sendCmd("tsnet:start", startData("solo", reg, br.port, ""))
	h.expectError("START_ERROR", "node already started", "")
	h.sendCmd("tsnet:getPeers", nil)
	if e := h.await("tsnet:peers"); string(e.Data) != `{"peers":[]}` {
		t.Fatalf("peers = %s", e.Data)
	}
	h.sendCmd("tsnet:listen", map[string]any{"port": 0})
	port := int(h.await("tsnet:listening").field(t, "port").(float64))
	if port == 0 {
		t.Fatal("listen on port 0 reported port 0")
	}
	h.sendCmd("tsnet:listen", map[string]any{"port": port})
	h.expectError("LISTEN_ERROR", fmt.Sprintf("already listening on port %d", port), "")
	h.sendCmd("tsnet:unlisten", map[string]any{"port": port})
	if e := h.await("tsnet:unlistened"); e.field(t, "port").(float64) != float64(port) {
		t.Fatalf("unlistened = %s", e.Data)
	}
	h.sendCmd("tsnet:unlisten", map[string]any{"port": 1})
	h.expectError("UNLISTEN_ERROR", "no listener on port 1", "")
	h.sendCmd("tsnet:whois", map[string]any{"addr": "127.0.0.250:1", "requestId": "w1"})
	e := h.await("tsnet:whoisResult")
	if e.field(t, "requestId") != "w1" || !strings.HasPrefix(e.field(t, "error").(string), "whois lookup failed: ") {
		t.Fatalf("whoisResult = %s", e.Data)
	}
	h.send(`{"command":"tsnet:stop"}`)
	h.await("tsnet:stopped")
	// Stopped nodes can be started again.
	h.sendCmd("tsnet:getPeers", nil)
	h.expectError("NOT_RUNNING", "node not running", "")
	startNode(t, h, "solo", reg, br.port)
	h.end()
	h.await("tsnet:stopped")
}

func TestBridgedConnectionBetweenTwoNodes(t *testing.T) {
	reg := t.TempDir()
	ha, hb := newHarness(t, Config{}), newHarness(t, Config{})
	bra, brb := newBridge(t), newBridge(t)
	a := startNode(t, ha, "alpha", reg, bra.port)
	ha.sendCmd("tsnet:watchPeers", nil)
	ha.sendCmd("tsnet:watchPeers", nil) // a no-op
	ha.sendCmd("tsnet:listen", map[string]any{"port": 9417})
	if e := ha.await("tsnet:listening"); string(e.Data) != `{"port":9417}` {
		t.Fatalf("listening = %s", e.Data)
	}
	b := startNode(t, hb, "beta", reg, brb.port)

	// A sees B join.
	e := ha.next()
	if e.Event != "tsnet:peerChanged" || e.field(t, "changeType") != "joined" || e.field(t, "peerId") != b.NodeID {
		t.Fatalf("want beta joined, got %s %s", e.Event, e.Data)
	}
	hb.sendCmd("tsnet:getPeers", nil)
	e = hb.await("tsnet:peers")
	if !strings.Contains(string(e.Data), `"dnsName":"alpha.loopback"`) {
		t.Fatalf("beta's peers = %s", e.Data)
	}

	hb.sendCmd("bridge:dial", map[string]any{"requestId": "r-42", "target": a.DNSName, "port": 9417})
	cb, hdrB := brb.accept(t)
	wantTok, _ := hex.DecodeString(testToken)
	if hdrB.Direction != bridge.Outgoing || hdrB.RequestID != "r-42" || hdrB.Port != 9417 ||
		hdrB.RemoteAddr != "alpha.loopback:9417" || hdrB.Identity != "alpha.loopback" ||
		string(hdrB.Token[:]) != string(wantTok) {
		t.Fatalf("outgoing header = %+v", hdrB)
	}
	ca, hdrA := bra.accept(t)
	if hdrA.Direction != bridge.Incoming || hdrA.RequestID != "" || hdrA.Port != 9417 ||
		!strings.HasPrefix(hdrA.RemoteAddr, b.TailscaleIP+":") {
		t.Fatalf("incoming header = %+v", hdrA)
	}
	var id map[string]string
	if err := json.Unmarshal([]byte(hdrA.Identity), &id); err != nil {
		t.Fatalf("identity %q: %v", hdrA.Identity, err)
	}
	if id["dnsName"] != "beta.loopback" || id["nodeId"] != b.NodeID || id["displayName"] != "beta" ||
		id["loginName"] == "" {
		t.Fatalf("identity = %s", hdrA.Identity)
	}
	if !strings.HasPrefix(hdrA.Identity, `{"dnsName":"beta.loopback","loginName":`) {
		t.Fatalf("identity field order: %s", hdrA.Identity)
	}

	// Bytes both ways, then half-close from B's side.
	deadline := time.Now().Add(waitFor)
	ca.SetDeadline(deadline)
	cb.SetDeadline(deadline)
	if _, err := cb.Write([]byte("hello from beta")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 15)
	if _, err := io.ReadFull(ca, buf); err != nil || string(buf) != "hello from beta" {
		t.Fatalf("alpha read %q, %v", buf, err)
	}
	if _, err := ca.Write([]byte("hi beta")); err != nil {
		t.Fatal(err)
	}
	buf = make([]byte, 7)
	if _, err := io.ReadFull(cb, buf); err != nil || string(buf) != "hi beta" {
		t.Fatalf("beta read %q, %v", buf, err)
	}
	cb.(*net.TCPConn).CloseWrite()
	if n, err := ca.Read(buf); err != io.EOF {
		t.Fatalf("alpha after beta's half-close: %d, %v; want EOF", n, err)
	}
	if _, err := ca.Write([]byte("late")); err != nil {
		t.Fatal(err)
	}
	buf = make([]byte, 4)
	if _, err := io.ReadFull(cb, buf); err != nil || string(buf) != "late" {
		t.Fatalf("beta read after half-close %q, %v", buf, err)
	}

	// WhoIs over the protocol.
	ha.sendCmd("tsnet:whois", map[string]any{"addr": hdrA.RemoteAddr, "requestId": "w9"})
	e = ha.await("tsnet:whoisResult")
	if e.field(t, "requestId") != "w9" || e.field(t, "identity").(map[string]any)["nodeId"] != b.NodeID {
		t.Fatalf("whoisResult = %s", e.Data)
	}

	// A failed dial reports through bridge:dialResult.
	hb.sendCmd("bridge:dial", map[string]any{"requestId": "r-43", "target": "nobody.loopback", "port": 9417})
	e = hb.await("bridge:dialResult")
	if e.field(t, "requestId") != "r-43" || e.field(t, "success") != false || e.field(t, "error") == "" {
		t.Fatalf("dialResult = %s", e.Data)
	}

	// Stopping A closes the bridged connection on both bridges.
	ha.send(`{"command":"tsnet:stop"}`)
	ha.await("tsnet:stopped")
	if _, err := io.ReadAll(cb); err != nil {
		t.Fatalf("beta's bridge after alpha stopped: %v", err)
	}
	hb.end()
	hb.await("tsnet:stopped")
}
