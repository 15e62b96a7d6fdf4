// Package tsnetbackend is the Tailscale backend of the Truffle sidecar: a thin adapter from backend.Backend to an
// embedded Tailscale node (tailscale.com/tsnet.Server) and its in-process LocalAPI client.
//
// It is written against tailscale.com v1.102.3 (see go.mod). Every place where the Tailscale API differs between
// versions is marked "Version note". The module cannot be built in this repository's CI (no module proxy there);
// see README.md.
//
// Version note: the LocalAPI client is tailscale.com/client/local.Client from v1.82.0 on (before that,
// tailscale.com/client/tailscale.LocalClient, the same methods).
package tsnetbackend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"tailscale.com/client/local"
	"tailscale.com/ipn"
	"tailscale.com/tsnet"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/lifecycle"
)

// Timings, as the published Truffle sidecar uses them.
const (
	// statusPollInterval is how often Start re-reads the backend state while it waits for Running, in addition to
	// reacting to every IPN bus notification.
	statusPollInterval = 500 * time.Millisecond
	// peerRediffInterval is the fallback re-diff of the peer list when the IPN bus is quiet or broken.
	peerRediffInterval = 30 * time.Second
	// whoIsBudget bounds one WhoIs lookup.
	whoIsBudget = 3 * time.Second
)

// stopBudget splits a stop (lifecycle.PlanStop): WantRunning=false for at most 3 s, which lets peers see the node
// go offline at once instead of when control times it out; an ephemeral node's logout, which srv.Close bounds at
// 5 s itself; and 2 s for the rest of srv.Close (listeners, LocalAPI, log flush).
var stopBudget = lifecycle.Budget{Offline: 3 * time.Second, Logout: 5 * time.Second, Close: 2 * time.Second}

// DebugEnv, when set to a non-empty value, sends tsnet's verbose backend log (magicsock, control, netstack) to the
// logger. Without it that log is discarded.
const DebugEnv = "TRUFFLE_DEBUG"

var (
	// ErrNotRunning is returned by calls that need a started node.
	ErrNotRunning = errors.New("tsnet: node not running")
	// ErrAlreadyStarted is returned by a second Start. The text matches the protocol's START_ERROR message.
	ErrAlreadyStarted = errors.New("node already started")
	// ErrStateDirRequired is returned by a Start without a state directory: tsnet would fall back to one directory
	// per user (under os.UserConfigDir), so every sidecar of the user would run with one node identity.
	ErrStateDirRequired = errors.New("tsnet: stateDir is required: without one, every sidecar of this user would share one node identity")
)

// Config configures a Backend.
type Config struct {
	// Logger receives tsnet's user-facing messages (state path, login URL reminders) and, when Debug is set, its
	// verbose backend log. It must write to stderr or elsewhere, never to stdout. Nil discards everything.
	Logger *log.Logger
	// Debug forwards tsnet's verbose backend log to Logger. New sets it when TRUFFLE_DEBUG is set.
	Debug bool
	// NoLogsNoSupport opts this process out of uploading Tailscale client logs to log.tailscale.com (and so out
	// of Tailscale support), as the TS_NO_LOGS_NO_SUPPORT environment variable does. The variable itself is
	// honoured by tailscale.com without this field; the field exists so that a future start option can drive it.
	NoLogsNoSupport bool
}

// Backend is one Tailscale node. Create it with New; it runs once: after Stop, create a new Backend (the sidecar's
// backend factory does so for every tsnet:start). It is safe for concurrent use.
type Backend struct {
	cfg Config
	log *log.Logger

	life *lifecycle.Node // srv.Start on its own goroutine, srv.Close, and the release of the state directory

	mu        sync.Mutex // guards everything below
	srv       *tsnet.Server
	lc        *local.Client // set once srv.Start has succeeded
	hostname  string
	ephemeral bool
	stopped   bool
	stopCh    chan struct{} // closed by Stop; ends watchers that outlive their context
}

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Drainer = (*Backend)(nil)
)

// New returns a node that has not joined the network yet.
func New(cfg Config) *Backend {
	if os.Getenv(DebugEnv) != "" {
		cfg.Debug = true
	}
	l := cfg.Logger
	if l == nil {
		l = log.New(io.Discard, "", 0)
	}
	return &Backend{cfg: cfg, log: l, life: lifecycle.NewNode(), stopCh: make(chan struct{})}
}

// Stop leaves the network within ctx, as lifecycle.Node.Stop and lifecycle.PlanStop do it with stopBudget:
// WantRunning=false first, so peers see the node offline at once, never into the time srv.Close needs; then the
// server is closed, which closes every listener and connection. An ephemeral node skips WantRunning=false: closing
// it logs it out of control, which removes it from every peer's map, so the stop budget goes to the logout. It is
// idempotent. When ctx ends before the server has closed (or while srv.Start still runs), the close goes on in the
// background, Stop returns ctx's error, and Drained is closed when the close is done.
//
// WantRunning=false is persisted in the state directory; the next start is not affected because tsnet starts the
// backend with WantRunning=true every time.
func (b *Backend) Stop(ctx context.Context) error {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return nil
	}
	b.stopped = true
	close(b.stopCh)
	srv, ephemeral := b.srv, b.ephemeral
	b.mu.Unlock()

	// The node calls these only once srv.Start has succeeded, so srv and the client are set by then.
	err := b.life.Stop(ctx, lifecycle.Stop{
		Ephemeral: ephemeral,
		GoOffline: func(ctx context.Context) error {
			b.mu.Lock()
			lc := b.lc
			b.mu.Unlock()
			if lc == nil {
				return ErrNotRunning
			}
			_, err := lc.EditPrefs(ctx, &ipn.MaskedPrefs{Prefs: ipn.Prefs{WantRunning: false}, WantRunningSet: true})
			return err
		},
		// srv.Close takes no context and can take several seconds (log flush, LocalAPI shutdown, and for an
		// ephemeral node a logout from control).
		Close:  func() error { return srv.Close() },
		Budget: stopBudget,
		Logf:   b.userLogf,
	})
	if err != nil {
		return fmt.Errorf("tsnet: %w", err)
	}
	return nil
}

// Drained is closed once the node has released its state directory (backend.Drainer): when Stop has closed the
// server, or at Stop for a node that never started or failed to start. The sidecar holds back a new start on the
// same state directory until then.
func (b *Backend) Drained() <-chan struct{} { return b.life.Released() }

// running returns the server and its client once srv.Start has succeeded and until Stop.
//
// The check matters: tsnet.Server's Listen, Dial and LocalClient start the server themselves when it has not
// been started.
func (b *Backend) running() (*tsnet.Server, *local.Client, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped || b.lc == nil {
		return nil, nil, ErrNotRunning
	}
	return b.srv, b.lc, nil
}

// Status reports the node's state: "stopped" before Start and after Stop, "starting" until tsnet has started,
// then the backend state as the protocol names it.
func (b *Backend) Status(ctx context.Context) (backend.Status, error) {
	b.mu.Lock()
	hostname, stopped, hasSrv := b.hostname, b.stopped, b.srv != nil
	b.mu.Unlock()
	if stopped || !hasSrv {
		return backend.Status{State: "stopped", Hostname: hostname}, nil
	}
	_, lc, err := b.running()
	if err != nil {
		return backend.Status{State: "starting", Hostname: hostname}, nil
	}
	st, err := lc.StatusWithoutPeers(ctx)
	if err != nil {
		return backend.Status{}, fmt.Errorf("tsnet: status: %w", err)
	}
	out := backend.Status{State: stateName(st.BackendState), Hostname: hostname}
	if ip := firstIP(st.TailscaleIPs); ip != "" {
		out.TailscaleIP = ip
	}
	if st.Self != nil {
		out.DNSName = trimDot(st.Self.DNSName)
		out.NodeID = string(st.Self.ID)
	}
	return out, nil
}

// stateName maps an ipn.State name (ipnstate.Status.BackendState) to the protocol's state names.
func stateName(s string) string {
	switch s {
	case ipn.Running.String():
		return "running"
	case ipn.NeedsLogin.String():
		return "needsLogin"
	case ipn.NeedsMachineAuth.String():
		return "needsApproval"
	case ipn.Stopped.String():
		return "stopped"
	default: // NoState, Starting, InUseOtherUser (not reachable in tsnet)
		return "starting"
	}
}

// Listen listens on port of the node's own Tailscale addresses (IPv4 and IPv6); port 0 picks a free port.
//
// Version note: tsnet.Server.Listen accepts port 0 and allocates a port itself (from 10002–19999) from v1.96.0 on;
// the listener's address is ":<port>" and the port is read back from it.
func (b *Backend) Listen(ctx context.Context, port int) (net.Listener, int, error) {
	srv, _, err := b.running()
	if err != nil {
		return nil, 0, err
	}
	if port < 0 || port > 65535 {
		return nil, 0, fmt.Errorf("tsnet: invalid port %d", port)
	}
	l, err := srv.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return nil, 0, err
	}
	_, ps, err := net.SplitHostPort(l.Addr().String())
	if err == nil {
		var p int
		if p, err = strconv.Atoi(ps); err == nil && p > 0 {
			return l, p, nil
		}
	}
	l.Close()
	return nil, 0, fmt.Errorf("tsnet: listener address %q has no port", l.Addr().String())
}

// Dial connects to target (a MagicDNS name, short or full, or a Tailscale address) at port. tsnet waits for the
// node to be Running within ctx.
func (b *Backend) Dial(ctx context.Context, target string, port int) (net.Conn, error) {
	srv, _, err := b.running()
	if err != nil {
		return nil, err
	}
	if port <= 0 || port > 65535 {
		return nil, fmt.Errorf("tsnet: dial %s: invalid port %d", target, port)
	}
	return srv.Dial(ctx, "tcp", net.JoinHostPort(target, strconv.Itoa(port)))
}

// WhoIs names the node and user behind addr ("ip" or "ip:port"), within whoIsBudget. NodeID is the stable node
// ID, the same as Peer.ID and Status.NodeID.
func (b *Backend) WhoIs(ctx context.Context, addr string) (backend.Identity, error) {
	_, lc, err := b.running()
	if err != nil {
		return backend.Identity{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, whoIsBudget)
	defer cancel()
	res, err := lc.WhoIs(wctx, addr) // local.ErrPeerNotFound when no node has addr
	if err != nil {
		return backend.Identity{}, err
	}
	var id backend.Identity
	if res.Node != nil {
		id.DNSName = trimDot(res.Node.Name)
		id.NodeID = string(res.Node.StableID)
	}
	if res.UserProfile != nil {
		id.LoginName = res.UserProfile.LoginName
		id.DisplayName = res.UserProfile.DisplayName
	}
	return id, nil
}

func (b *Backend) userLogf(format string, args ...any) {
	b.log.Printf("tsnet: "+format, args...)
}

func (b *Backend) debugLogf(format string, args ...any) {
	if b.cfg.Debug {
		b.log.Printf("tsnet: "+format, args...)
	}
}

func trimDot(s string) string { return strings.TrimSuffix(s, ".") }

// firstIP is the first IPv4 address, else the first address, else "". Tailscale lists the IPv4 address first
// today; preferring it explicitly keeps tailscaleIP an IPv4 address even if that order changes.
func firstIP(ips []netip.Addr) string {
	for _, ip := range ips {
		if ip.Is4() {
			return ip.String()
		}
	}
	if len(ips) > 0 {
		return ips[0].String()
	}
	return ""
}
