package loopback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startNode starts a node with its own state directory and stops it when the test ends.
func startNode(t *testing.T, dir, hostname string) *Backend {
	t.Helper()
	b := New(dir)
	if err := b.Start(context.Background(), backend.Options{Hostname: hostname, StateDir: t.TempDir()}); err != nil {
		t.Fatalf("start %s: %v", hostname, err)
	}
	t.Cleanup(func() { b.Stop(context.Background()) })
	return b
}

func status(t *testing.T, b *Backend) backend.Status {
	t.Helper()
	st, err := b.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// crash simulates a process that dies: the heartbeat stops and sockets close, but the registry files stay.
func crash(b *Backend) {
	b.life.Lock()
	defer b.life.Unlock()
	b.mu.Lock()
	n := b.n
	b.n, b.state = nil, "stopped"
	b.mu.Unlock()
	close(n.stop)
	n.wg.Wait()
	n.closeAll()
}

func TestLoopbackAddressBindable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2 is not bindable here: %v", err)
	}
	l.Close()
}

func TestTwoNodesSeeEachOther(t *testing.T) {
	dir := t.TempDir()
	a := startNode(t, dir, "alpha")
	b := startNode(t, dir, "beta")
	sa, sb := status(t, a), status(t, b)
	for _, st := range []backend.Status{sa, sb} {
		if st.State != "running" || st.NodeID == "" || !strings.HasPrefix(st.TailscaleIP, "127.") {
			t.Fatalf("bad status %+v", st)
		}
		if st.DNSName != st.Hostname+".loopback" {
			t.Fatalf("dnsName %q for hostname %q", st.DNSName, st.Hostname)
		}
	}
	if sa.TailscaleIP == sb.TailscaleIP || sa.NodeID == sb.NodeID {
		t.Fatalf("nodes share an address or id: %+v %+v", sa, sb)
	}
	tests := []struct {
		name string
		node *Backend
		want backend.Status
	}{
		{"alpha sees beta", a, sb},
		{"beta sees alpha", b, sa},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peers, err := tt.node.Peers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(peers) != 1 {
				t.Fatalf("want 1 peer, got %+v", peers)
			}
			p := peers[0]
			want := backend.Peer{ID: tt.want.NodeID, Hostname: tt.want.Hostname, DNSName: tt.want.DNSName,
				TailscaleIPs: []string{tt.want.TailscaleIP}, Online: true, OS: runtime.GOOS}
			if fmt.Sprint(p) != fmt.Sprint(want) {
				t.Fatalf("peer = %+v, want %+v", p, want)
			}
		})
	}
}

func TestDialAndWhoIs(t *testing.T) {
	dir := t.TempDir()
	srv := startNode(t, dir, "server")
	cli := startNode(t, dir, "client")
	ss, cs := status(t, srv), status(t, cli)
	l, port, err := srv.Listen(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if port == 0 || l.Addr().(*net.TCPAddr).IP.String() != ss.TailscaleIP {
		t.Fatalf("listening on %v, port %d", l.Addr(), port)
	}
	tests := []struct{ name, target string }{
		{"dns name", ss.DNSName},
		{"dns name with trailing dot", ss.DNSName + "."},
		{"hostname", "SERVER"},
		{"address", ss.TailscaleIP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accepted := make(chan net.Conn, 1)
			go func() {
				c, err := l.Accept()
				if err != nil {
					t.Error(err)
				}
				accepted <- c
			}()
			c, err := cli.Dial(context.Background(), tt.target, port)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s := <-accepted
			if s == nil {
				t.FailNow()
			}
			defer s.Close()

			remote := s.RemoteAddr().(*net.TCPAddr)
			if remote.IP.String() != cs.TailscaleIP {
				t.Fatalf("remote address %v, want the dialer's %s", remote, cs.TailscaleIP)
			}
			for _, addr := range []string{remote.String(), remote.IP.String()} {
				id, err := srv.WhoIs(context.Background(), addr)
				if err != nil {
					t.Fatal(err)
				}
				want := backend.Identity{DNSName: "client.loopback", LoginName: "client@loopback", DisplayName: "client", NodeID: cs.NodeID}
				if id != want {
					t.Fatalf("whois %s = %+v, want %+v", addr, id, want)
				}
			}

			// Bytes both ways, then half-close from the dialer: the server reads EOF and can still answer.
			if _, err := c.Write([]byte("ping")); err != nil {
				t.Fatal(err)
			}
			if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(s)
			if err != nil || string(got) != "ping" {
				t.Fatalf("server read %q, %v", got, err)
			}
			if _, err := s.Write([]byte("pong")); err != nil {
				t.Fatal(err)
			}
			s.Close()
			got, err = io.ReadAll(c)
			if err != nil || string(got) != "pong" {
				t.Fatalf("client read %q, %v", got, err)
			}
		})
	}
}

func TestDialAndWhoIsErrors(t *testing.T) {
	dir := t.TempDir()
	a := startNode(t, dir, "alpha")
	ctx := context.Background()
	for _, target := range []string{"nobody.loopback", "nobody", "127.0.200.1", ""} {
		if _, err := a.Dial(ctx, target, 80); err == nil {
			t.Errorf("dial %q succeeded", target)
		}
	}
	if _, err := a.Dial(ctx, "nobody.loopback", 80); err == nil || !strings.Contains(err.Error(), "unknown target") {
		t.Errorf("dial unknown: %v", err)
	}
	for _, addr := range []string{"127.0.200.1", "127.0.200.1:80"} {
		if _, err := a.WhoIs(ctx, addr); !errors.Is(err, ErrPeerNotFound) {
			t.Errorf("whois %s: %v", addr, err)
		}
	}
	if _, err := a.WhoIs(ctx, "not-an-ip"); err == nil {
		t.Error("whois of a name succeeded")
	}
	stopped := New(dir)
	if _, err := stopped.Dial(ctx, "alpha", 80); !errors.Is(err, ErrNotRunning) {
		t.Errorf("dial before start: %v", err)
	}
	if _, err := stopped.Peers(ctx); !errors.Is(err, ErrNotRunning) {
		t.Errorf("peers before start: %v", err)
	}
	if err := stopped.WatchPeers(ctx, nil, func(backend.PeerChange) {}); !errors.Is(err, ErrNotRunning) {
		t.Errorf("watch before start: %v", err)
	}
}

// watcher collects WatchPeers events.
func TestStopReleasesEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	a := New(dir)
	ctx := context.Background()
	if err := a.Start(ctx, backend.Options{Hostname: "alpha", StateDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx, backend.Options{Hostname: "alpha"}); !errors.Is(err, ErrAlreadyStarted) {
		t.Fatalf("second start: %v", err)
	}
	l, port, err := a.Listen(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	dialed, err := a.Dial(ctx, "alpha.loopback", port) // a node can dial itself
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	watchDone := make(chan error, 1)
	go func() { watchDone <- a.WatchPeers(context.Background(), nil, func(backend.PeerChange) {}) }()
	eventually(t, 3*time.Second, goroutineWatching)

	for i := 0; i < 2; i++ {
		if err := a.Stop(ctx); err != nil {
			t.Fatalf("stop %d: %v", i, err)
		}
	}
	if err := <-watchDone; err != nil {
		t.Fatalf("watch ended with %v", err)
	}
	if _, err := l.Accept(); err == nil {
		t.Error("listener open after stop")
	}
	for _, c := range []net.Conn{dialed, accepted} {
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("connection open after stop")
		}
	}
	if st := status(t, a); st.State != "stopped" || st.TailscaleIP != "" {
		t.Errorf("status after stop %+v", st)
	}
	if _, _, err := a.Listen(ctx, 0); !errors.Is(err, ErrNotRunning) {
		t.Errorf("listen after stop: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left in the registry: %s", e.Name())
	}
	eventually(t, 3*time.Second, func() bool { return runtime.NumGoroutine() <= before })
}

func TestRestartKeepsNodeID(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	ctx := context.Background()
	a := New(dir)
	var ids []string
	for i := 0; i < 2; i++ {
		if err := a.Start(ctx, backend.Options{Hostname: "alpha", StateDir: state}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, status(t, a).NodeID)
		if err := a.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if ids[0] == "" || ids[0] != ids[1] {
		t.Fatalf("node ids %v", ids)
	}
	other := startNode(t, dir, "beta")
	if status(t, other).NodeID == ids[0] {
		t.Fatal("another state directory got the same node id")
	}
}

func TestInvalidHostname(t *testing.T) {
	for _, h := range []string{"", "a b", "a/b", "a."} {
		if err := New(t.TempDir()).Start(context.Background(), backend.Options{Hostname: h}); err == nil {
			t.Errorf("hostname %q accepted", h)
		}
	}
}

// TestNetworksWithDifferentRegistriesShareTheMachine: a node of another network already listens on the first
// address's port, so a node that reserves that port claims the next address, and both listen.
func TestNetworksWithDifferentRegistriesShareTheMachine(t *testing.T) {
	const port = 39417
	var listening []net.Listener
	defer func() {
		for _, l := range listening {
			l.Close()
		}
	}()
	var ips []string
	for _, network := range []string{"first", "second", "third"} {
		b := NewWithPorts(t.TempDir(), []int{port})
		if err := b.Start(context.Background(), backend.Options{Hostname: network, StateDir: t.TempDir()}); err != nil {
			t.Fatalf("start %s: %v", network, err)
		}
		t.Cleanup(func() { b.Stop(context.Background()) })
		l, got, err := b.Listen(context.Background(), port)
		if err != nil {
			t.Fatalf("%s: listen on its reserved port: %v", network, err)
		}
		listening = append(listening, l)
		if got != port {
			t.Fatalf("%s listens on %d, want %d", network, got, port)
		}
		ips = append(ips, status(t, b).TailscaleIP)
	}
	if ips[0] == ips[1] || ips[1] == ips[2] || ips[0] == ips[2] {
		t.Fatalf("networks share an address: %v", ips)
	}
}

// TestReservedPortsAreReleasedByStop: a node stopped before it listened leaves its address's port free again.
func TestReservedPortsAreReleasedByStop(t *testing.T) {
	const port = 39418
	b := NewWithPorts(t.TempDir(), []int{port})
	if err := b.Start(context.Background(), backend.Options{Hostname: "reserving", StateDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	ip := status(t, b).TailscaleIP
	if _, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(port))); err == nil {
		t.Fatal("the reserved port was free while the node ran")
	}
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(port)))
	if err != nil {
		t.Fatalf("the port is still held after Stop: %v", err)
	}
	l.Close()
}
