package loopback

import (
	"context"
	"net"
	"runtime"
	"sort"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

// Peers lists every live node except this one, sorted by address.
func (b *Backend) Peers(ctx context.Context) ([]backend.Peer, error) {
	n, err := b.running()
	if err != nil {
		return nil, err
	}
	byID, _, err := b.peers(n, nil)
	if err != nil {
		return nil, err
	}
	out := make([]backend.Peer, 0, len(byID))
	for _, r := range byID {
		out = append(out, toPeer(r))
	}
	sort.Slice(out, func(i, j int) bool { return ipLess(out[i].TailscaleIPs[0], out[j].TailscaleIPs[0]) })
	return out, nil
}

// peers returns the other live nodes by node ID (the newest registration wins when a node that died restarted
// on another address before its old registration went stale) and the scan by address for the next call.
func (b *Backend) peers(n *node, prev map[string]registration) (map[string]registration, map[string]registration, error) {
	regs, err := b.reg.scan(time.Now(), prev)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]registration, len(regs))
	for ip, r := range regs {
		if ip == n.info.IP {
			continue
		}
		if old, ok := byID[r.NodeID]; !ok || r.Heartbeat > old.Heartbeat {
			byID[r.NodeID] = r
		}
	}
	return byID, regs, nil
}

func toPeer(r registration) backend.Peer {
	return backend.Peer{
		ID:           r.NodeID,
		Hostname:     r.Hostname,
		DNSName:      r.DNSName,
		TailscaleIPs: []string{r.IP},
		Online:       true,
		OS:           runtime.GOOS,
	}
}

func ipLess(a, b string) bool {
	x, y := net.ParseIP(a).To16(), net.ParseIP(b).To16()
	return string(x) < string(y)
}

// WatchPeers polls the registry every pollInterval (polling is portable and needs only the standard library)
// and calls fn, from the calling goroutine, for every peer that joined, left, or changed hostname, DNS name or
// address since the previous poll; heartbeats alone are not changes. The first poll is the baseline. It blocks
// until ctx ends or the node stops, then returns nil; it returns at once with an error if the node is not
// running. ready (if not nil) is called once the baseline is read.
func (b *Backend) WatchPeers(ctx context.Context, ready func(), fn func(backend.PeerChange)) error {
	n, err := b.running()
	if err != nil {
		return err
	}
	byID, prev, err := b.peers(n, nil)
	if err != nil {
		return err
	}
	base := peerMap(byID)
	if ready != nil {
		ready()
	}
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-n.stop:
			return nil
		case <-t.C:
		}
		byID, regs, err := b.peers(n, prev)
		if err != nil {
			continue // the directory may be briefly unreadable; the next poll tries again
		}
		cur := peerMap(byID)
		for _, c := range backend.DiffPeers(base, cur) {
			fn(c)
		}
		base, prev = cur, regs
	}
}

// peerMap turns registrations by node ID into the peers they announce.
func peerMap(byID map[string]registration) map[string]backend.Peer {
	out := make(map[string]backend.Peer, len(byID))
	for id, r := range byID {
		out[id] = toPeer(r)
	}
	return out
}

// add runs register under the node's lock unless the node has stopped.
