package tsnetbackend

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"tailscale.com/ipn"
	"tailscale.com/ipn/ipnstate"
	"tailscale.com/types/key"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/lifecycle"
)

// These tests need no network: they cover the mapping and diffing and the not-running guards. Joining a real
// tailnet is not tested here (see README.md).

func TestToPeer(t *testing.T) {
	seen := time.Date(2026, 8, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))
	exp := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	ps := &ipnstate.PeerStatus{
		ID:           "nABC123CNTRL",
		HostName:     "truffle-app-1",
		DNSName:      "truffle-app-1.tail1234.ts.net.",
		OS:           "linux",
		TailscaleIPs: []netip.Addr{netip.MustParseAddr("100.64.0.1"), netip.MustParseAddr("fd7a:115c:a1e0::1")},
		CurAddr:      "192.0.2.1:41641",
		Relay:        "fra",
		LastSeen:     seen,
		Online:       false,
		Expired:      true,
		KeyExpiry:    &exp,
	}
	want := backend.Peer{
		ID:           "nABC123CNTRL",
		Hostname:     "truffle-app-1",
		DNSName:      "truffle-app-1.tail1234.ts.net",
		TailscaleIPs: []string{"100.64.0.1", "fd7a:115c:a1e0::1"},
		Online:       false,
		OS:           "linux",
		CurAddr:      "192.0.2.1:41641",
		Relay:        "fra",
		LastSeen:     "2026-08-01T11:00:00Z",
		KeyExpiry:    "2027-01-02T03:04:05Z",
		Expired:      true,
	}
	if got := toPeer(ps); !reflect.DeepEqual(got, want) {
		t.Fatalf("toPeer:\n got %+v\nwant %+v", got, want)
	}

	// Unknown times are omitted; no addresses is an empty list, not null.
	got := toPeer(&ipnstate.PeerStatus{ID: "n1", Online: true})
	if got.LastSeen != "" || got.KeyExpiry != "" || got.TailscaleIPs == nil || len(got.TailscaleIPs) != 0 {
		t.Fatalf("toPeer of a bare peer: %+v", got)
	}
}

func TestPeersFromStatus(t *testing.T) {
	st := &ipnstate.Status{Peer: map[key.NodePublic]*ipnstate.PeerStatus{
		key.NewNode().Public(): {ID: "n1", HostName: "one"},
		key.NewNode().Public(): {HostName: "no-id"},
		key.NewNode().Public(): nil,
	}}
	m := peersFromStatus(st)
	if len(m) != 1 || m["n1"].Hostname != "one" {
		t.Fatalf("peersFromStatus = %v", m)
	}
}

func TestStateName(t *testing.T) {
	for s, want := range map[ipn.State]string{
		ipn.NoState:          "starting",
		ipn.Starting:         "starting",
		ipn.NeedsLogin:       "needsLogin",
		ipn.NeedsMachineAuth: "needsApproval",
		ipn.Running:          "running",
		ipn.Stopped:          "stopped",
	} {
		if got := stateName(s.String()); got != want {
			t.Errorf("stateName(%v) = %q, want %q", s, got, want)
		}
	}
}

func TestFirstIPPrefersIPv4(t *testing.T) {
	v6, v4 := netip.MustParseAddr("fd7a:115c:a1e0::1"), netip.MustParseAddr("100.64.0.1")
	if got := firstIP([]netip.Addr{v6, v4}); got != "100.64.0.1" {
		t.Fatalf("firstIP = %q", got)
	}
	if got := firstIP([]netip.Addr{v6}); got != "fd7a:115c:a1e0::1" {
		t.Fatalf("firstIP of IPv6 only = %q", got)
	}
	if got := firstIP(nil); got != "" {
		t.Fatalf("firstIP of none = %q", got)
	}
}

func TestNotStarted(t *testing.T) {
	b := New(Config{})
	ctx := context.Background()
	st, err := b.Status(ctx)
	if err != nil || st.State != "stopped" {
		t.Fatalf("Status before start = %+v, %v", st, err)
	}
	if _, err := b.Peers(ctx); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Peers: %v", err)
	}
	if _, _, err := b.Listen(ctx, 0); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Listen: %v", err)
	}
	if _, err := b.Dial(ctx, "peer", 80); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Dial: %v", err)
	}
	if _, err := b.WhoIs(ctx, "100.64.0.1"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("WhoIs: %v", err)
	}
	if err := b.WatchPeers(ctx, nil, func(backend.PeerChange) {}); !errors.Is(err, ErrNotRunning) {
		t.Errorf("WatchPeers: %v", err)
	}
	if err := b.Stop(ctx); err != nil {
		t.Errorf("Stop before start: %v", err)
	}
	if err := b.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if err := b.Start(ctx, backend.Options{Hostname: "x"}); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Start after Stop: %v", err)
	}
	assertDrained(t, b, "a node that never started")
}

func assertDrained(t *testing.T, b *Backend, what string) {
	t.Helper()
	select {
	case <-b.Drained():
	default:
		t.Errorf("%s holds its state directory after Stop", what)
	}
}

// Without a state directory tsnet would use one per-user directory, shared by every sidecar of the user: refused
// before any server is created.
func TestStartWithoutStateDirIsRefused(t *testing.T) {
	b := New(Config{})
	ctx := context.Background()
	if err := b.Start(ctx, backend.Options{Hostname: "x"}); !errors.Is(err, ErrStateDirRequired) {
		t.Fatalf("Start without stateDir: %v", err)
	}
	if st, err := b.Status(ctx); err != nil || st.State != "stopped" {
		t.Fatalf("Status after the refused start = %+v, %v", st, err)
	}
	if err := b.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	assertDrained(t, b, "a node whose start was refused")
}

// The peer watch asks for peer changes and a small initial state, never for network maps.
func TestPeerWatchAsksForPeerChangesWithoutNetworkMaps(t *testing.T) {
	if peerWatchMask != ipn.NotifyInitialState|ipn.NotifyPeerChanges|ipn.NotifyNoNetMap {
		t.Fatalf("peer watch mask = %v", peerWatchMask)
	}
	if peerWatchMask&ipn.NotifyInitialNetMap != 0 {
		t.Fatal("the peer watch asks for the whole network map")
	}
}

// Within the sidecar's 10 s stop budget an ephemeral node keeps the 5 s tailscale.com gives its logout and does
// not spend any of it on WantRunning=false; any other node goes offline for its 3 s and leaves Close the rest.
// The split itself is tested in the parent module (internal/lifecycle).
func TestStopBudgetLeavesTheEphemeralLogoutItsTime(t *testing.T) {
	eph := lifecycle.PlanStop(10*time.Second, true, stopBudget)
	if eph.Offline != 0 || eph.Logout != 5*time.Second || eph.Short {
		t.Fatalf("ephemeral stop plan = %+v", eph)
	}
	node := lifecycle.PlanStop(10*time.Second, false, stopBudget)
	if node.Offline != 3*time.Second || node.Close < stopBudget.Close || node.Short {
		t.Fatalf("stop plan = %+v", node)
	}
}
