package server

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/proto"
)

// scripted is a backend whose start and stop the test controls: Start reports the login URLs it is given, and
// Stop returns at its context's end while the node goes on releasing its state until release is closed.
type scripted struct {
	loginURLs   []string
	release     chan struct{} // nil: Stop releases at once
	drained     chan struct{}
	drainOnce   sync.Once
	startedWith func() // called at the start of Start
}

func newScripted() *scripted { return &scripted{drained: make(chan struct{})} }

func (b *scripted) Start(ctx context.Context, opts backend.Options) error {
	if b.startedWith != nil {
		b.startedWith()
	}
	for _, url := range b.loginURLs {
		opts.OnAuthRequired(url)
	}
	return nil
}

func (b *scripted) Stop(ctx context.Context) error {
	if b.release == nil {
		b.drainOnce.Do(func() { close(b.drained) })
		return nil
	}
	go func() {
		<-b.release
		b.drainOnce.Do(func() { close(b.drained) })
	}()
	select {
	case <-b.drained:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *scripted) Drained() <-chan struct{} { return b.drained }

func (b *scripted) Status(context.Context) (backend.Status, error) {
	return backend.Status{State: "running", DNSName: "scripted.example", TailscaleIP: "100.64.0.1", NodeID: "n1"}, nil
}
func (b *scripted) Peers(context.Context) ([]backend.Peer, error) { return nil, nil }
func (b *scripted) WatchPeers(ctx context.Context, ready func(), _ func(backend.PeerChange)) error {
	ready()
	<-ctx.Done()
	return nil
}
func (b *scripted) Listen(context.Context, int) (net.Listener, int, error) {
	return nil, 0, errors.New("not here")
}
func (b *scripted) Dial(context.Context, string, int) (net.Conn, error) {
	return nil, errors.New("not here")
}
func (b *scripted) WhoIs(context.Context, string) (backend.Identity, error) {
	return backend.Identity{}, errors.New("not here")
}

// backends hands out the given backends in order, one per tsnet:start.
func backends(list ...*scripted) BackendFactory {
	var mu sync.Mutex
	return func(proto.StartData) (backend.Backend, error) {
		mu.Lock()
		defer mu.Unlock()
		b := list[0]
		list = list[1:]
		return b, nil
	}
}

// awaitRunning awaits the events of a successful start: starting, running, started.
func awaitRunning(h *harness) {
	h.t.Helper()
	for _, state := range []string{"starting", "running"} {
		if e := h.await("tsnet:status"); e.field(h.t, "state") != state {
			h.t.Fatalf("status %s, want %s", e.Data, state)
		}
	}
	h.await("tsnet:started")
}

func tsnetStart(stateDir string) map[string]any {
	return map[string]any{"hostname": "node", "stateDir": stateDir, "bridgePort": 1, "sessionToken": testToken}
}

func TestTsnetStartWithoutStateDirIsRefused(t *testing.T) {
	h := newHarness(t, Config{NewBackend: backends(newScripted())})
	h.sendCmd("tsnet:start", tsnetStart(""))
	h.expectError("START_ERROR", MsgStateDirRequired, "")
	// Nothing was started, and the backend was not even created.
	h.sendCmd("tsnet:getPeers", nil)
	h.expectError("NOT_RUNNING", "node not running", "")
	h.sendCmd("tsnet:start", tsnetStart(t.TempDir()))
	awaitRunning(h)
}

func TestEveryNewLoginURLReachesTheHostOnce(t *testing.T) {
	b := newScripted()
	b.loginURLs = []string{"https://login.example/a", "https://login.example/a", "", "https://login.example/b"}
	h := newHarness(t, Config{NewBackend: backends(b)})
	h.sendCmd("tsnet:start", tsnetStart(t.TempDir()))
	h.await("tsnet:status")
	var urls []string
	for _, want := range []string{"https://login.example/a", "https://login.example/b"} {
		e := h.await("tsnet:authRequired")
		if got := e.field(t, "authUrl"); got != want {
			t.Fatalf("authRequired %v, want %s", got, want)
		}
		urls = append(urls, want)
	}
	if e := h.next(); e.Event != "tsnet:status" || e.field(t, "state") != "running" {
		t.Fatalf("after %v got %s %s, want the running status", urls, e.Event, e.Data)
	}
}

// A stop that runs out of time leaves the old node releasing its state directory: a new start on that directory
// waits for it, so two nodes never run on one directory; a start on another directory does not wait.
func TestStartWaitsForTheStateDirectoryOfAStopThatTimedOut(t *testing.T) {
	dir := t.TempDir()
	first, second, other := newScripted(), newScripted(), newScripted()
	first.release = make(chan struct{})
	var startedWhileHeld []bool
	var mu sync.Mutex
	record := func() {
		mu.Lock()
		defer mu.Unlock()
		select {
		case <-first.drained:
			startedWhileHeld = append(startedWhileHeld, false)
		default:
			startedWhileHeld = append(startedWhileHeld, true)
		}
	}
	second.startedWith = record
	other.startedWith = record
	h := newHarness(t, Config{NewBackend: backends(first, other, second), StopTimeout: 50 * time.Millisecond})

	h.sendCmd("tsnet:start", tsnetStart(dir))
	awaitRunning(h)
	h.send(`{"command":"tsnet:stop"}`)
	h.await("tsnet:stopped") // after the 50 ms stop budget; first is still releasing dir

	h.sendCmd("tsnet:start", tsnetStart(t.TempDir()))
	awaitRunning(h) // another directory: not held up
	h.send(`{"command":"tsnet:stop"}`)
	h.await("tsnet:stopped")

	h.sendCmd("tsnet:start", tsnetStart(dir))
	if e := h.await("tsnet:status"); e.field(t, "state") != "starting" {
		t.Fatalf("got %s", e.Data)
	}
	close(first.release)
	h.await("tsnet:status")
	h.await("tsnet:started")
	mu.Lock()
	defer mu.Unlock()
	if len(startedWhileHeld) != 2 || !startedWhileHeld[0] || startedWhileHeld[1] {
		t.Fatalf("started while the first node held its directory: %v, want [true false] (other directory, same directory)", startedWhileHeld)
	}
}

func TestStartOnAStateDirectoryThatIsNeverReleasedFails(t *testing.T) {
	dir := t.TempDir()
	first := newScripted()
	first.release = make(chan struct{})
	t.Cleanup(func() { close(first.release) })
	h := newHarness(t, Config{NewBackend: backends(first, newScripted()), StopTimeout: 50 * time.Millisecond})
	h.sendCmd("tsnet:start", tsnetStart(dir))
	awaitRunning(h)
	h.send(`{"command":"tsnet:stop"}`)
	h.await("tsnet:stopped")

	h.sendCmd("tsnet:start", tsnetStart(dir))
	h.await("tsnet:status")
	e := h.await("tsnet:error")
	var d proto.ErrorData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Code != proto.CodeStartError || !strings.Contains(d.Message, "still stopping") || !strings.Contains(d.Message, dir) {
		t.Fatalf("error = %+v", d)
	}
}
