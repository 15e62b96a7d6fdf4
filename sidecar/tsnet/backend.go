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
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"tailscale.com/client/local"
	"tailscale.com/envknob"
	"tailscale.com/ipn"
	"tailscale.com/ipn/ipnstate"
	"tailscale.com/tsnet"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

// Timings, as the published Truffle sidecar uses them.
const (
	// statusPollInterval is how often Start re-reads the backend state while it waits for Running, in addition to
	// reacting to every IPN bus notification.
	statusPollInterval = 500 * time.Millisecond
	// peerRediffInterval is the fallback re-diff of the peer list when the IPN bus is quiet or broken.
	peerRediffInterval = 30 * time.Second
	// wantRunningBudget bounds setting WantRunning=false on stop, which lets peers see the node go offline at once
	// instead of when control times it out.
	wantRunningBudget = 3 * time.Second
	// whoIsBudget bounds one WhoIs lookup.
	whoIsBudget = 3 * time.Second
)

// DebugEnv, when set to a non-empty value, sends tsnet's verbose backend log (magicsock, control, netstack) to the
// logger. Without it that log is discarded.
const DebugEnv = "TRUFFLE_DEBUG"

var (
	// ErrNotRunning is returned by calls that need a started node.
	ErrNotRunning = errors.New("tsnet: node not running")
	// ErrAlreadyStarted is returned by a second Start. The text matches the protocol's START_ERROR message.
	ErrAlreadyStarted = errors.New("node already started")
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

	mu        sync.Mutex // guards everything below
	srv       *tsnet.Server
	lc        *local.Client // set once srv.Start has succeeded
	hostname  string
	startDone chan struct{} // closed when srv.Start has returned
	startErr  error         // srv.Start's error, valid after startDone
	stopped   bool
	stopCh    chan struct{} // closed by Stop; ends watchers that outlive their context
}

var _ backend.Backend = (*Backend)(nil)

// New returns a node that has not joined the network yet.
func New(cfg Config) *Backend {
	if os.Getenv(DebugEnv) != "" {
		cfg.Debug = true
	}
	l := cfg.Logger
	if l == nil {
		l = log.New(io.Discard, "", 0)
	}
	return &Backend{cfg: cfg, log: l, stopCh: make(chan struct{})}
}

// Start creates the tsnet node, starts it and waits until it is Running with a Tailscale address. While it waits
// it reports the login URL (once) through OnAuthRequired and the need for an administrator's approval through
// OnNeedsApproval. It returns ctx's error when ctx ends first; the caller then calls Stop.
//
// This is tsnet.Server.Up's flow, done by hand: Up only returns when Running and reports nothing about login or
// approval. Up's one-time reset of the serve config and Service advertisements is not done; this backend uses
// neither.
func (b *Backend) Start(ctx context.Context, opts backend.Options) error {
	if b.cfg.NoLogsNoSupport {
		// Process-wide; read by logpolicy when tsnet builds the log upload transport in srv.Start.
		envknob.SetNoLogsNoSupport()
	}
	srv := &tsnet.Server{
		Hostname:  opts.Hostname,
		Dir:       opts.StateDir, // empty: tsnet picks a directory under os.UserConfigDir
		AuthKey:   opts.AuthKey,  // empty: tsnet falls back to TS_AUTHKEY / TS_AUTH_KEY
		Ephemeral: opts.Ephemeral,
		// Version note: tsnet.Server.AdvertiseTags exists from v1.88.0 on.
		AdvertiseTags: opts.Tags,
		// UserLogf: the state path and, every 5 s while logged out, the login URL. Unset, tsnet would use
		// log.Printf, which also goes to stderr; set so that it carries this sidecar's prefix.
		UserLogf: b.userLogf,
	}
	if b.cfg.Debug {
		srv.Logf = b.debugLogf // unset: tsnet discards its verbose backend log
	}

	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return ErrNotRunning
	}
	if b.srv != nil {
		b.mu.Unlock()
		return ErrAlreadyStarted
	}
	b.srv = srv
	b.hostname = opts.Hostname
	b.startDone = make(chan struct{})
	startDone := b.startDone
	b.mu.Unlock()

	if envknob.NoLogsNoSupport() {
		b.log.Printf("tsnet: log uploads disabled (TS_NO_LOGS_NO_SUPPORT)")
	}

	// srv.Start is synchronous and takes no context, so it runs on its own goroutine to let ctx end the wait.
	// Stop waits for it before closing the server (tsnet forbids Close before or during Start).
	go func() {
		err := srv.Start()
		b.mu.Lock()
		b.startErr = err
		if err == nil {
			// Does not start anything again: Start has succeeded, so LocalClient returns the in-memory client.
			b.lc, _ = srv.LocalClient()
		}
		b.mu.Unlock()
		close(startDone)
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-startDone:
	}
	b.mu.Lock()
	lc, err := b.lc, b.startErr
	b.mu.Unlock()
	if err != nil {
		return err
	}
	return b.waitRunning(ctx, lc, opts)
}

// waitRunning follows the backend state until it is Running with an address, from IPN bus notifications and a
// status poll every statusPollInterval (the poll covers notifications this watcher was not sent).
func (b *Backend) waitRunning(ctx context.Context, lc *local.Client, opts backend.Options) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// NotifyInitialState: the first notification carries the current state and, in NeedsLogin, the login URL.
	w, err := lc.WatchIPNBus(wctx, ipn.NotifyInitialState)
	if err != nil {
		return fmt.Errorf("tsnet: watch IPN bus: %w", err)
	}
	defer w.Close()
	notes, readErr := readBus(wctx, w)

	var (
		authSent      bool
		lastState     string
		busBroken     bool
		pollTicker    = time.NewTicker(statusPollInterval)
		statusPending = true // check at once
	)
	defer pollTicker.Stop()
	authRequired := func(url string) {
		if url == "" || authSent {
			return
		}
		authSent = true
		if opts.OnAuthRequired != nil {
			opts.OnAuthRequired(url)
		}
	}
	for {
		if statusPending {
			statusPending = false
			st, err := lc.StatusWithoutPeers(wctx)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				b.debugLogf("status while starting: %v", err)
			} else {
				switch st.BackendState {
				case ipn.Running.String():
					if len(st.TailscaleIPs) > 0 {
						return nil
					}
				case ipn.NeedsLogin.String():
					authRequired(st.AuthURL)
				case ipn.NeedsMachineAuth.String():
					if lastState != st.BackendState && opts.OnNeedsApproval != nil {
						opts.OnNeedsApproval()
					}
				}
				lastState = st.BackendState
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.stopCh:
			return ErrNotRunning
		case n := <-notes:
			if n.ErrMessage != nil {
				// As tsnet.Server.Up does: an error message on the bus is fatal to start-up.
				return fmt.Errorf("tsnet: backend: %s", *n.ErrMessage)
			}
			if n.BrowseToURL != nil {
				authRequired(*n.BrowseToURL)
			}
			if n.State != nil || n.LoginFinished != nil {
				statusPending = true
			}
		case err := <-readErr:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !busBroken {
				busBroken = true // keep going on the poll alone
				b.log.Printf("tsnet: IPN bus ended while starting (%v); polling status only", err)
			}
		case <-pollTicker.C:
			statusPending = true
		}
	}
}

// readBus delivers every notification of w on the first channel until reading fails, then the error on the
// second. It stops when ctx ends.
func readBus(ctx context.Context, w *local.IPNBusWatcher) (<-chan ipn.Notify, <-chan error) {
	notes := make(chan ipn.Notify)
	errc := make(chan error, 1)
	go func() {
		for {
			n, err := w.Next()
			if err != nil {
				errc <- err
				return
			}
			select {
			case notes <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return notes, errc
}

// Stop sets WantRunning=false (so peers see the node offline at once; at most wantRunningBudget) and closes the
// server, which closes every listener and connection. It is idempotent. When ctx ends before the server has
// closed, the close goes on in the background and Stop returns ctx's error.
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
	srv, startDone := b.srv, b.startDone
	b.mu.Unlock()
	if srv == nil {
		return nil // never started
	}

	select {
	case <-startDone:
	case <-ctx.Done():
		go func() { // srv.Start is still running: close the server when it returns
			<-startDone
			if b.startFailed() == nil {
				srv.Close()
			}
		}()
		return fmt.Errorf("tsnet: stop: start still running: %w", ctx.Err())
	}
	if err := b.startFailed(); err != nil {
		return nil // a failed srv.Start has released what it had opened; Close would act on a half-built server
	}

	b.mu.Lock()
	lc := b.lc
	b.mu.Unlock()
	pctx, cancel := context.WithTimeout(ctx, wantRunningBudget)
	_, err := lc.EditPrefs(pctx, &ipn.MaskedPrefs{Prefs: ipn.Prefs{WantRunning: false}, WantRunningSet: true})
	cancel()
	if err != nil {
		b.log.Printf("tsnet: stop: set WantRunning=false: %v", err)
	}

	// srv.Close takes no context and can take several seconds (log flush, LocalAPI shutdown, and for an ephemeral
	// node a logout from control), so the wait is bounded by ctx.
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		return err
	case <-ctx.Done():
		return fmt.Errorf("tsnet: stop: close still running: %w", ctx.Err())
	}
}

func (b *Backend) startFailed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.startErr
}

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

// Peers lists every peer in the node's network map, sorted by DNS name then ID.
func (b *Backend) Peers(ctx context.Context) ([]backend.Peer, error) {
	_, lc, err := b.running()
	if err != nil {
		return nil, err
	}
	m, err := peerMap(ctx, lc)
	if err != nil {
		return nil, err
	}
	out := make([]backend.Peer, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DNSName != out[j].DNSName {
			return out[i].DNSName < out[j].DNSName
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// peerMap reads the full status and returns the peers by stable node ID.
func peerMap(ctx context.Context, lc *local.Client) (map[string]backend.Peer, error) {
	st, err := lc.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("tsnet: status: %w", err)
	}
	return peersFromStatus(st), nil
}

func peersFromStatus(st *ipnstate.Status) map[string]backend.Peer {
	m := make(map[string]backend.Peer, len(st.Peer))
	for _, ps := range st.Peer {
		if ps == nil || ps.ID == "" {
			continue
		}
		m[string(ps.ID)] = toPeer(ps)
	}
	return m
}

// toPeer maps one peer. IDs are stable node IDs; DNS names lose their trailing dot; times are RFC 3339 in UTC and
// omitted when unknown (LastSeen is only set while the peer is offline).
func toPeer(ps *ipnstate.PeerStatus) backend.Peer {
	p := backend.Peer{
		ID:           string(ps.ID),
		Hostname:     ps.HostName,
		DNSName:      trimDot(ps.DNSName),
		TailscaleIPs: make([]string, 0, len(ps.TailscaleIPs)),
		Online:       ps.Online,
		OS:           ps.OS,
		CurAddr:      ps.CurAddr,
		Relay:        ps.Relay,
		Expired:      ps.Expired,
	}
	for _, ip := range ps.TailscaleIPs {
		p.TailscaleIPs = append(p.TailscaleIPs, ip.String())
	}
	if !ps.LastSeen.IsZero() {
		p.LastSeen = ps.LastSeen.UTC().Format(time.RFC3339)
	}
	if ps.KeyExpiry != nil && !ps.KeyExpiry.IsZero() {
		p.KeyExpiry = ps.KeyExpiry.UTC().Format(time.RFC3339)
	}
	return p
}

// WatchPeers reports joins, leaves and changes until ctx ends or the node stops. The baseline is read after the
// IPN bus subscription is in place, so no change falls between the two. It re-diffs on every peer notification
// and every peerRediffInterval; a broken bus is resubscribed at the next periodic re-diff. fn is called from the
// calling goroutine.
//
// Version note: the IPN bus stopped carrying the network map after the initial notification on every platform
// but Windows in v1.100; peer changes come as PeersChanged/PeersRemoved to watchers that set NotifyPeerChanges
// (v1.98 and later; without NotifyPeerPatches per-field patches are promoted to full PeersChanged entries).
// Notifications are only a trigger here: the peer list is always re-read from Status, so the diff does not
// depend on which fields a version puts on the bus.
func (b *Backend) WatchPeers(ctx context.Context, fn func(backend.PeerChange)) error {
	_, lc, err := b.running()
	if err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-b.stopCh:
			cancel()
		case <-wctx.Done():
		}
	}()

	sub, err := subscribePeers(wctx, lc)
	if err != nil {
		return err
	}
	defer func() { sub.close() }()
	base, err := peerMap(wctx, lc)
	if err != nil {
		if wctx.Err() != nil {
			return nil
		}
		return err
	}

	t := time.NewTicker(peerRediffInterval)
	defer t.Stop()
	for {
		select {
		case <-wctx.Done():
			return nil
		case <-sub.trigger:
		case err := <-sub.errc:
			if wctx.Err() != nil {
				return nil
			}
			b.log.Printf("tsnet: IPN bus ended (%v); re-diffing every %v until it is back", err, peerRediffInterval)
			sub.close()
			sub = brokenSub()
			continue
		case <-t.C:
			if sub.broken {
				if s, err := subscribePeers(wctx, lc); err == nil {
					sub = s
				} else if wctx.Err() == nil {
					b.debugLogf("resubscribe to IPN bus: %v", err)
				}
			}
		}
		cur, err := peerMap(wctx, lc)
		if err != nil {
			if wctx.Err() != nil {
				return nil
			}
			b.debugLogf("re-diff peers: %v", err)
			continue // the next notification or tick tries again
		}
		for _, c := range diffPeers(base, cur) {
			fn(c)
		}
		base = cur
	}
}

// peerSub is one IPN bus subscription for peer changes: trigger gets a (coalesced) signal for every notification
// that may change the peer list, errc the error that ended it.
type peerSub struct {
	trigger <-chan struct{}
	errc    <-chan error
	close   func()
	broken  bool
}

func brokenSub() peerSub {
	return peerSub{close: func() {}, broken: true} // nil channels: never ready
}

func subscribePeers(ctx context.Context, lc *local.Client) (peerSub, error) {
	sctx, cancel := context.WithCancel(ctx)
	// NotifyInitialNetMap: a first notification right away (which re-diffs against the baseline, finding nothing
	// or what changed in between). NotifyPeerChanges: peer adds, removals and changes.
	w, err := lc.WatchIPNBus(sctx, ipn.NotifyInitialNetMap|ipn.NotifyPeerChanges)
	if err != nil {
		cancel()
		return peerSub{}, fmt.Errorf("tsnet: watch IPN bus: %w", err)
	}
	trigger := make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		for {
			n, err := w.Next()
			if err != nil {
				errc <- err
				return
			}
			if n.NetMap != nil || len(n.PeersChanged) > 0 || len(n.PeersRemoved) > 0 ||
				len(n.PeerChangedPatch) > 0 || n.State != nil {
				select {
				case trigger <- struct{}{}:
				default: // a re-diff is pending already
				}
			}
		}
	}()
	var once sync.Once
	return peerSub{
		trigger: trigger,
		errc:    errc,
		close:   func() { once.Do(func() { cancel(); w.Close() }) },
	}, nil
}

// diffPeers lists the changes from old to cur: leaves, then joins, then updates, each sorted by ID. A peer is
// updated when anything but LastSeen changed (LastSeen moves on its own while a peer is offline; going offline
// or online changes Online).
func diffPeers(old, cur map[string]backend.Peer) []backend.PeerChange {
	var left, joined, updated []backend.PeerChange
	for id := range old {
		if _, ok := cur[id]; !ok {
			left = append(left, backend.PeerChange{ChangeType: "left", PeerID: id})
		}
	}
	for id, p := range cur {
		p := p
		o, ok := old[id]
		switch {
		case !ok:
			joined = append(joined, backend.PeerChange{ChangeType: "joined", PeerID: id, Peer: &p})
		case !samePeer(o, p):
			updated = append(updated, backend.PeerChange{ChangeType: "updated", PeerID: id, Peer: &p})
		}
	}
	var out []backend.PeerChange
	for _, group := range [][]backend.PeerChange{left, joined, updated} {
		sort.Slice(group, func(i, j int) bool { return group[i].PeerID < group[j].PeerID })
		out = append(out, group...)
	}
	return out
}

func samePeer(a, b backend.Peer) bool {
	if a.ID != b.ID || a.Hostname != b.Hostname || a.DNSName != b.DNSName || a.Online != b.Online ||
		a.OS != b.OS || a.CurAddr != b.CurAddr || a.Relay != b.Relay || a.KeyExpiry != b.KeyExpiry ||
		a.Expired != b.Expired || len(a.TailscaleIPs) != len(b.TailscaleIPs) {
		return false
	}
	for i := range a.TailscaleIPs {
		if a.TailscaleIPs[i] != b.TailscaleIPs[i] {
			return false
		}
	}
	return true
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
