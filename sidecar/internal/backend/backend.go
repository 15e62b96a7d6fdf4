// Package backend defines what the sidecar needs from a network: the real Tailscale node (tsnet, a separate
// module) or the loopback stand-in used for development, demos and tests.
package backend

import (
	"context"
	"net"
)

// Backend is one node on a network. Implementations must be safe for concurrent use.
type Backend interface {
	// Start joins the network. Progress (needs login, running, …) is reported through the Options callbacks.
	Start(ctx context.Context, opts Options) error
	// Stop leaves the network and releases every listener and connection. It is idempotent.
	Stop(ctx context.Context) error
	// Status reports the node's current state.
	Status(ctx context.Context) (Status, error)
	// Peers lists every other node on the network; the host filters them.
	Peers(ctx context.Context) ([]Peer, error)
	// WatchPeers calls fn for every peer that joins, leaves or changes until ctx ends. The first snapshot is the
	// baseline and is not reported; ready (if not nil) is called once it is read, before any fn call, so a caller
	// can wait for it and know that every later change will be reported.
	WatchPeers(ctx context.Context, ready func(), fn func(PeerChange)) error
	// Listen accepts connections on a network port (0 picks one); the returned listener's address has the port.
	Listen(ctx context.Context, port int) (net.Listener, int, error)
	// Dial connects to target (a DNS name or address on the network) at port.
	Dial(ctx context.Context, target string, port int) (net.Conn, error)
	// WhoIs names the node behind a remote address ("ip" or "ip:port") of an accepted connection.
	WhoIs(ctx context.Context, addr string) (Identity, error)
}

// Drainer is a Backend whose Stop may return, when its context ends, before the node has released its state
// directory (the rest of the stop goes on in the background). The sidecar then holds back a new start on that state
// directory until Drained is closed.
type Drainer interface {
	// Drained is closed once the node has released everything it held: when its Stop has finished in full, or
	// at once when it never started.
	Drained() <-chan struct{}
}

// Options are the start parameters a backend uses.
type Options struct {
	Hostname  string
	StateDir  string
	AuthKey   string
	Ephemeral bool
	Tags      []string
	// OnAuthRequired is called with the login URL whenever the network reports one, during start and after (the
	// control server issues a new URL when the old one expires); the sidecar tells the host about each new URL once.
	OnAuthRequired func(url string)
	// OnNeedsApproval is called when an administrator must approve the device.
	OnNeedsApproval func()
}

// Status is the node's state as tsnet:status and tsnet:started report it.
type Status struct {
	State       string // "starting", "running", "needsLogin", "needsApproval", "stopped"
	Hostname    string
	DNSName     string
	TailscaleIP string
	NodeID      string
}

// Peer is one entry of tsnet:peers; field names follow the control protocol.
type Peer struct {
	ID           string   `json:"id"`
	Hostname     string   `json:"hostname"`
	DNSName      string   `json:"dnsName"`
	TailscaleIPs []string `json:"tailscaleIPs"`
	Online       bool     `json:"online"`
	OS           string   `json:"os"`
	CurAddr      string   `json:"curAddr,omitempty"`
	Relay        string   `json:"relay,omitempty"`
	LastSeen     string   `json:"lastSeen,omitempty"`
	KeyExpiry    string   `json:"keyExpiry,omitempty"`
	Expired      bool     `json:"expired,omitempty"`
}

// PeerChange is one tsnet:peerChanged event.
type PeerChange struct {
	ChangeType string // "joined", "left" or "updated"
	PeerID     string
	Peer       *Peer // nil for "left"
}

// Identity is what WhoIs knows about a node; field names follow the control protocol and the bridge header.
type Identity struct {
	DNSName     string `json:"dnsName"`
	LoginName   string `json:"loginName,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	NodeID      string `json:"nodeId,omitempty"`
}
