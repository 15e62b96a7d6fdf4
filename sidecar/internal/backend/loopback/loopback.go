// Package loopback is a local stand-in for a tailnet: every node gets its own address in 127.0.0.0/8, as a
// tailnet node gets its own 100.x address, and registers in a directory shared by all nodes. Connections are
// real TCP connections between those addresses; WhoIs answers from the registry by the remote address, and
// peers appear and leave as nodes start, stop or die.
//
// Linux routes all of 127.0.0.0/8 to the loopback interface. On macOS and other systems only 127.0.0.1 is
// configured by default; add aliases (for example `sudo ifconfig lo0 alias 127.0.0.2`) before starting nodes.
//
// See registry.go for the files in the shared directory and the heartbeat timings.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

// DNSSuffix is the domain of every node's DNS name: <hostname>.loopback.
const DNSSuffix = "loopback"

var (
	// ErrNotRunning is returned by calls that need a started node.
	ErrNotRunning = errors.New("loopback: node not running")
	// ErrAlreadyStarted is returned by a second Start.
	ErrAlreadyStarted = errors.New("node already started")
	// ErrPeerNotFound is returned by WhoIs for an address no live node holds.
	ErrPeerNotFound = errors.New("peer not found")
)

// Backend is one node of the loopback network. Create it with New; it can be started again after Stop.
type Backend struct {
	reg   registry
	ports []int // reserved with the address at every start (see NewWithPorts)

	life sync.Mutex // serialises Start and Stop

	mu    sync.Mutex // guards state and n
	state string
	n     *node
}

var _ backend.Backend = (*Backend)(nil)

// New returns a stopped node that registers in registryDir, the directory shared by every node of one network.
func New(registryDir string) *Backend {
	return NewWithPorts(registryDir, nil)
}

// NewWithPorts is New for a node that will listen on ports: at every start it claims only an address on which it
// can bind all of them, and keeps them bound until Listen takes them. So networks with different registry
// directories share the machine's 127.0.0.0/8 without colliding: an address another network's node listens on is
// skipped, and no other process can take the port between the start and the listen.
func NewWithPorts(registryDir string, ports []int) *Backend {
	return &Backend{reg: registry{dir: registryDir}, ports: ports, state: "stopped"}
}

// node is one started life of a Backend.
type node struct {
	info  registration // fixed after Start, except Heartbeat, which only the heartbeat goroutine writes
	ip    net.IP
	token string
	stop  chan struct{} // closed by Stop: ends the heartbeat and every watcher
	wg    sync.WaitGroup

	mu        sync.Mutex // guards closed, listeners, conns and reserved
	closed    bool
	listeners map[*listener]struct{}
	conns     map[*conn]struct{}
	reserved  map[int]*net.TCPListener // ports bound with the address at start, until Listen takes them
}

// Start claims an address, writes the registration and starts the heartbeat. AuthKey, Tags, Ephemeral and the
// login callbacks have no meaning on the loopback network and are ignored.
func (b *Backend) Start(ctx context.Context, opts backend.Options) error {
	b.life.Lock()
	defer b.life.Unlock()
	b.mu.Lock()
	if b.n != nil {
		b.mu.Unlock()
		return ErrAlreadyStarted
	}
	b.state = "starting"
	b.mu.Unlock()

	n, err := b.start(ctx, opts)

	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.state = "stopped"
		return err
	}
	b.n = n
	b.state = "running"
	return nil
}

func (b *Backend) start(ctx context.Context, opts backend.Options) (*node, error) {
	hostname := opts.Hostname
	if hostname == "" || strings.ContainsAny(hostname, " \t\r\n/\\") || strings.HasSuffix(hostname, ".") {
		return nil, fmt.Errorf("loopback: invalid hostname %q", hostname)
	}
	if err := os.MkdirAll(b.reg.dir, 0o755); err != nil {
		return nil, fmt.Errorf("loopback: registry dir: %w", err)
	}
	b.reg.removeLeftovers(time.Now())
	nodeID, err := loadNodeID(opts.StateDir)
	if err != nil {
		return nil, err
	}
	token, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	var reserved map[int]*net.TCPListener
	ip, err := b.reg.claimAddress(ctx, claim{NodeID: nodeID, Token: token, PID: os.Getpid()}, func(ip string) bool {
		reserved = reserve(ip, b.ports)
		return reserved != nil
	})
	if err != nil {
		return nil, err
	}
	n := &node{
		info: registration{
			NodeID:   nodeID,
			Hostname: hostname,
			DNSName:  hostname + "." + DNSSuffix,
			IP:       ip,
			PID:      os.Getpid(),
		},
		ip:        net.ParseIP(ip),
		token:     token,
		stop:      make(chan struct{}),
		listeners: make(map[*listener]struct{}),
		conns:     make(map[*conn]struct{}),
		reserved:  reserved,
	}
	// Fail early, with a hint, where the system does not route 127.0.0.0/8 to loopback.
	probe, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		n.closeReserved()
		b.reg.release(ip, nodeID, token)
		return nil, fmt.Errorf("loopback: cannot bind %s (outside Linux, alias it on the loopback interface): %w", ip, err)
	}
	probe.Close()
	n.info.Heartbeat = time.Now().UnixNano()
	if err := b.reg.write(n.info); err != nil {
		n.closeReserved()
		b.reg.release(ip, nodeID, token)
		return nil, fmt.Errorf("loopback: register: %w", err)
	}
	n.wg.Add(1)
	go b.heartbeat(n)
	return n, nil
}

// heartbeat rewrites the registration every heartbeatInterval until Stop. It gives up if another node has taken
// the address over (this node was paused for longer than staleAfter), so it never overwrites that node's entry.
func (b *Backend) heartbeat(n *node) {
	defer n.wg.Done()
	t := time.NewTicker(heartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		if !b.reg.ownsClaim(n.info.IP, n.token) {
			return
		}
		info := n.info
		info.Heartbeat = time.Now().UnixNano()
		_ = b.reg.write(info) // a failed write is retried on the next tick; peers tolerate up to staleAfter
	}
}

// Stop stops the heartbeat, closes every listener and connection and removes the node's registration and
// claim. It is idempotent.
func (b *Backend) Stop(ctx context.Context) error {
	b.life.Lock()
	defer b.life.Unlock()
	b.mu.Lock()
	n := b.n
	b.n = nil
	b.state = "stopped"
	b.mu.Unlock()
	if n == nil {
		return nil
	}
	close(n.stop)
	n.wg.Wait()
	n.closeAll()
	b.reg.release(n.info.IP, n.info.NodeID, n.token)
	return nil
}

// Status reports the node's state; a node never started or stopped is "stopped".
func (b *Backend) Status(ctx context.Context) (backend.Status, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := backend.Status{State: b.state}
	if b.n != nil {
		st.Hostname = b.n.info.Hostname
		st.DNSName = b.n.info.DNSName
		st.TailscaleIP = b.n.info.IP
		st.NodeID = b.n.info.NodeID
	}
	return st, nil
}

func (b *Backend) running() (*node, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.n == nil {
		return nil, ErrNotRunning
	}
	return b.n, nil
}

// Listen listens on the node's own address; port 0 picks a free port.
func (b *Backend) Listen(ctx context.Context, port int) (net.Listener, int, error) {
	n, err := b.running()
	if err != nil {
		return nil, 0, err
	}
	if port < 0 || port > 65535 {
		return nil, 0, fmt.Errorf("loopback: invalid port %d", port)
	}
	l := n.takeReserved(port)
	if l == nil {
		var lc net.ListenConfig
		bound, err := lc.Listen(ctx, "tcp", net.JoinHostPort(n.info.IP, strconv.Itoa(port)))
		if err != nil {
			return nil, 0, fmt.Errorf("loopback: listen: %w", err)
		}
		l = bound.(*net.TCPListener)
	}
	tl := &listener{l: l, n: n}
	if !n.add(func() { n.listeners[tl] = struct{}{} }) {
		l.Close()
		return nil, 0, ErrNotRunning
	}
	return tl, l.Addr().(*net.TCPAddr).Port, nil
}

// Dial connects to target — a DNS name (host.loopback), a hostname or an address of a live node — from the
// node's own address, so the accepting node's WhoIs identifies this node by the connection's remote address.
func (b *Backend) Dial(ctx context.Context, target string, port int) (net.Conn, error) {
	n, err := b.running()
	if err != nil {
		return nil, err
	}
	if port <= 0 || port > 65535 {
		return nil, fmt.Errorf("loopback: dial %s: invalid port %d", target, port)
	}
	peer, err := b.resolve(target)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: n.ip}}
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(peer.IP, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("loopback: dial %s (%s) port %d: %w", target, peer.IP, port, err)
	}
	return n.track(c.(*net.TCPConn))
}

// resolve finds the live node named by target, this node included.
func (b *Backend) resolve(target string) (registration, error) {
	t := strings.TrimSuffix(strings.TrimSpace(target), ".")
	if t == "" {
		return registration{}, errors.New("loopback: dial: empty target")
	}
	regs, err := b.reg.scan(time.Now(), nil)
	if err != nil {
		return registration{}, err
	}
	ip := net.ParseIP(t)
	var found []registration
	for _, r := range regs {
		if ip != nil && r.IP == ip.String() ||
			ip == nil && (strings.EqualFold(r.DNSName, t) || strings.EqualFold(r.Hostname, t)) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return registration{}, fmt.Errorf("loopback: unknown target %q: no live node has that name or address", target)
	case 1:
		return found[0], nil
	default:
		return registration{}, fmt.Errorf("loopback: ambiguous target %q: %d live nodes have that name", target, len(found))
	}
}

// WhoIs names the live node holding the address in addr ("ip" or "ip:port").
func (b *Backend) WhoIs(ctx context.Context, addr string) (backend.Identity, error) {
	if _, err := b.running(); err != nil {
		return backend.Identity{}, err
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return backend.Identity{}, fmt.Errorf("loopback: whois %q: not an IP address", addr)
	}
	regs, err := b.reg.scan(time.Now(), nil)
	if err != nil {
		return backend.Identity{}, err
	}
	r, ok := regs[ip.String()]
	if !ok {
		return backend.Identity{}, fmt.Errorf("loopback: whois %s: %w", addr, ErrPeerNotFound)
	}
	return backend.Identity{
		DNSName:     r.DNSName,
		LoginName:   r.Hostname + "@" + DNSSuffix,
		DisplayName: r.Hostname,
		NodeID:      r.NodeID,
	}, nil
}
