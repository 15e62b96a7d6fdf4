package loopback

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

func TestCrashedNodeClaimTakenOver(t *testing.T) {
	dir := t.TempDir()
	a := startNode(t, dir, "alpha")
	ip := status(t, a).TailscaleIP
	crash(a)
	// While the dead node's heartbeat is fresh its address stays claimed.
	b := startNode(t, dir, "beta")
	if status(t, b).TailscaleIP == ip {
		t.Fatalf("fresh claim of %s taken over", ip)
	}
	eventually(t, 3*time.Second, func() bool {
		peers, err := b.Peers(context.Background())
		return err == nil && len(peers) == 0
	})
	c := startNode(t, dir, "gamma")
	if got := status(t, c).TailscaleIP; got != ip {
		t.Fatalf("new node got %s, want the dead node's %s", got, ip)
	}
	// The dead node's leftovers are gone or replaced; the claim carries the new node's token.
	c.mu.Lock()
	token := c.n.token
	c.mu.Unlock()
	if !(registry{dir}).ownsClaim(ip, token) {
		t.Fatal("claim not owned by the new node")
	}
}

// writeClaim fabricates registry files for 127.0.0.2 as a node that may be dead would have left them.
func writeClaim(t *testing.T, dir string, claimAge time.Duration, reg *registration) {
	t.Helper()
	r := registry{dir}
	data, _ := json.Marshal(claim{NodeID: "ndead", Token: "t", PID: 1})
	if err := os.WriteFile(r.claimPath("127.0.0.2"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Now().Add(-claimAge)
	if err := os.Chtimes(r.claimPath("127.0.0.2"), mt, mt); err != nil {
		t.Fatal(err)
	}
	if reg != nil {
		if err := r.write(*reg); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStaleClaims(t *testing.T) {
	reg := func(nodeID string, age time.Duration) *registration {
		return &registration{NodeID: nodeID, Hostname: "dead", DNSName: "dead.loopback", IP: "127.0.0.2",
			Heartbeat: time.Now().Add(-age).UnixNano()}
	}
	tests := []struct {
		name     string
		claimAge time.Duration
		reg      *registration
		want     string
	}{
		{"stale heartbeat", time.Minute, reg("ndead", 5*time.Second), "127.0.0.2"},
		{"old claim without registration", time.Minute, nil, "127.0.0.2"},
		{"old claim, registration of an earlier owner", time.Minute, reg("nother", 0), "127.0.0.2"},
		{"fresh claim without registration", 0, nil, "127.0.0.3"},
		{"live owner", time.Minute, reg("ndead", 0), "127.0.0.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeClaim(t, dir, tt.claimAge, tt.reg)
			n := startNode(t, dir, "fresh")
			if got := status(t, n).TailscaleIP; got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestConcurrentStarts(t *testing.T) {
	tests := []struct {
		name  string
		nodes int
		stale bool // a dead node's claim on 127.0.0.2 that every starter may try to take over
	}{
		{"three nodes", 3, false},
		{"eight nodes and a stale claim", 8, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.stale {
				writeClaim(t, dir, time.Minute, nil)
			}
			nodes := make([]*Backend, tt.nodes)
			errs := make([]error, tt.nodes)
			var wg sync.WaitGroup
			for i := range nodes {
				nodes[i] = New(dir)
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					errs[i] = nodes[i].Start(context.Background(), backend.Options{Hostname: fmt.Sprintf("node%d", i)})
				}(i)
			}
			wg.Wait()
			seen := map[string]bool{}
			for i, n := range nodes {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				t.Cleanup(func() { n.Stop(context.Background()) })
				ip := status(t, n).TailscaleIP
				if seen[ip] {
					t.Fatalf("address %s claimed twice", ip)
				}
				seen[ip] = true
			}
			if tt.stale && !seen["127.0.0.2"] {
				t.Error("stale claim on 127.0.0.2 not taken over")
			}
			for _, n := range nodes {
				peers, err := n.Peers(context.Background())
				if err != nil || len(peers) != tt.nodes-1 {
					t.Fatalf("peers %v, %v", peers, err)
				}
			}
		})
	}
}
