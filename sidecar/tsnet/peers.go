package tsnetbackend

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"tailscale.com/client/local"
	"tailscale.com/ipn"
	"tailscale.com/ipn/ipnstate"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

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
// calling goroutine; ready (if not nil) is called once the baseline is read, before any fn call.
//
// Version note: the IPN bus stopped carrying the network map after the initial notification on every platform
// but Windows in v1.100; peer changes come as PeersChanged/PeersRemoved to watchers that set NotifyPeerChanges
// (v1.98 and later; without NotifyPeerPatches per-field patches are promoted to full PeersChanged entries).
// Notifications are only a trigger here: the peer list is always re-read from Status, so the diff does not
// depend on which fields a version puts on the bus.
func (b *Backend) WatchPeers(ctx context.Context, ready func(), fn func(backend.PeerChange)) error {
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
	if ready != nil {
		ready()
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
		for _, c := range backend.DiffPeers(base, cur) {
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

// peerWatchMask is what the peer watch asks of the IPN bus. NotifyInitialState: a small first notification right
// away (its State re-diffs against the baseline, finding nothing or what changed in between). NotifyPeerChanges:
// peer adds, removals and changes. NotifyNoNetMap: no full network map on later notifications where tailscaled
// still sends one (Windows, macOS); the peer list is re-read from Status anyway, so a map per notification would
// only cost bus bandwidth. Not NotifyInitialNetMap, which put the whole map in every subscription's first message.
const peerWatchMask = ipn.NotifyInitialState | ipn.NotifyPeerChanges | ipn.NotifyNoNetMap

func subscribePeers(ctx context.Context, lc *local.Client) (peerSub, error) {
	sctx, cancel := context.WithCancel(ctx)
	w, err := lc.WatchIPNBus(sctx, peerWatchMask)
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
