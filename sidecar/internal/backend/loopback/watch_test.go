package loopback

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

type watcher struct {
	mu     sync.Mutex
	events []backend.PeerChange
	at     []time.Time
}

func (w *watcher) add(c backend.PeerChange) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, c)
	w.at = append(w.at, time.Now())
}

// find returns the time of the first event of kind for id, or the zero time.
func (w *watcher) find(kind, id string) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, e := range w.events {
		if e.ChangeType == kind && e.PeerID == id {
			return w.at[i]
		}
	}
	return time.Time{}
}

func TestWatchPeers(t *testing.T) {
	dir := t.TempDir()
	a := startNode(t, dir, "alpha")
	before := startNode(t, dir, "before")

	w := &watcher{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := a.WatchPeers(ctx, nil, w.add); err != nil {
			t.Error(err)
		}
	}()
	defer func() { cancel(); wg.Wait() }()
	eventually(t, 3*time.Second, goroutineWatching) // the baseline is taken

	b := startNode(t, dir, "beta")
	bs := status(t, b)
	eventually(t, 3*time.Second, func() bool { return !w.find("joined", bs.NodeID).IsZero() })
	b.Stop(context.Background())
	eventually(t, 3*time.Second, func() bool { return !w.find("left", bs.NodeID).IsZero() })

	c := startNode(t, dir, "gamma")
	cs := status(t, c)
	eventually(t, 3*time.Second, func() bool { return !w.find("joined", cs.NodeID).IsZero() })
	crashed := time.Now()
	crash(c)
	eventually(t, 3*time.Second, func() bool { return !w.find("left", cs.NodeID).IsZero() })
	took := w.find("left", cs.NodeID).Sub(crashed)
	// The last heartbeat is at most heartbeatInterval before the crash; the leave is seen within staleAfter of
	// it plus one poll. Allow scheduling slack above, none below.
	if took < staleAfter-heartbeatInterval || took > staleAfter+pollInterval+500*time.Millisecond {
		t.Errorf("crashed node reported left after %v", took)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.events {
		if e.PeerID == status(t, before).NodeID {
			t.Errorf("baseline peer reported: %+v", e)
		}
		if e.ChangeType == "updated" {
			t.Errorf("heartbeat reported as an update: %+v", e)
		}
		if e.ChangeType == "joined" && (e.Peer == nil || e.Peer.DNSName != e.Peer.Hostname+".loopback") {
			t.Errorf("bad joined event %+v", e)
		}
	}
}

// goroutineWatching reports whether some goroutine waits in WatchPeers' polling loop, that is, has taken its
// baseline.
func goroutineWatching() bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "[select") && strings.Contains(g, "loopback.(*Backend).WatchPeers") {
			return true
		}
	}
	return false
}

func TestWatchPeersReportsUpdate(t *testing.T) {
	old := map[string]registration{"n1": {NodeID: "n1", Hostname: "a", DNSName: "a.loopback", IP: "127.0.0.2", Heartbeat: 1}}
	tests := []struct {
		name string
		cur  registration
		want string
	}{
		{"heartbeat only", registration{NodeID: "n1", Hostname: "a", DNSName: "a.loopback", IP: "127.0.0.2", Heartbeat: 2}, ""},
		{"new address", registration{NodeID: "n1", Hostname: "a", DNSName: "a.loopback", IP: "127.0.0.3", Heartbeat: 2}, "updated"},
		{"new hostname", registration{NodeID: "n1", Hostname: "b", DNSName: "b.loopback", IP: "127.0.0.2", Heartbeat: 2}, "updated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := backend.DiffPeers(peerMap(old), peerMap(map[string]registration{"n1": tt.cur}))
			kinds := ""
			for _, c := range got {
				kinds += c.ChangeType
			}
			if kinds != tt.want {
				t.Fatalf("changes %+v, want %q", got, tt.want)
			}
		})
	}
}
