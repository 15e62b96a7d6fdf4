package server

import (
	"sync"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/proto"
)

// Commands that ask the network about peers: getPeers, watchPeers and whois.

func (s *Server) handleGetPeers(cmd proto.Command) {
	rid := cmd.RequestID()
	n := s.current()
	if n == nil || !n.spawn(func() {
		peers, err := n.b.Peers(n.ctx)
		if err != nil {
			s.sendError(proto.CodePeersError, err.Error(), rid)
			return
		}
		s.send(proto.EvtPeers, proto.NewPeersData(peers))
	}) {
		s.sendError(proto.CodeNotRunning, msgNotRunning, rid)
	}
}

// handleWatchPeers starts the one peer watch of this node; a second request is a no-op. It returns (and the next
// command is read) only once the watch has its baseline, or failed, or readyTimeout passed: a host that watches and
// then lists the peers must not miss a peer that joins between the list and a late baseline. A watch that fails is
// reported as WATCH_PEERS_ERROR and retried with backoff (1 s doubling to 30 s) until the node stops.
func (s *Server) handleWatchPeers(cmd proto.Command) {
	rid := cmd.RequestID()
	n := s.current()
	if n == nil {
		s.sendError(proto.CodeNotRunning, msgNotRunning, rid)
		return
	}
	n.mu.Lock()
	already := n.watching
	n.watching = true
	n.mu.Unlock()
	if already {
		return
	}
	ready := make(chan struct{})
	var once sync.Once
	settled := func() { once.Do(func() { close(ready) }) }
	if !n.spawn(func() { s.watchPeers(n, settled) }) {
		s.sendError(proto.CodeNotRunning, msgNotRunning, rid)
		return
	}
	t := time.NewTimer(readyTimeout)
	defer t.Stop()
	select {
	case <-ready:
	case <-n.ctx.Done():
	case <-t.C:
	}
}

// readyTimeout bounds how long a watch request holds up the command loop waiting for the baseline.
const readyTimeout = 5 * time.Second

// watchPeers runs the watch until the node stops; settled is called when the first attempt has its baseline or
// has failed.
func (s *Server) watchPeers(n *node, settled func()) {
	backoff := time.Second
	for {
		err := n.b.WatchPeers(n.ctx, settled, func(c backend.PeerChange) {
			s.send(proto.EvtPeerChanged, proto.NewPeerChangedData(c))
		})
		settled()
		if n.ctx.Err() != nil {
			return
		}
		if err != nil {
			s.sendError(proto.CodeWatchPeersError, err.Error(), "")
		}
		t := time.NewTimer(backoff)
		select {
		case <-n.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if backoff *= 2; backoff > 30*time.Second {
			backoff = 30 * time.Second
		}
	}
}

func (s *Server) handleWhois(cmd proto.Command) {
	var d proto.WhoisData
	if err := cmd.Decode(&d); err != nil {
		s.sendError(proto.CodeWhoisError, err.Error(), cmd.RequestID())
		return
	}
	n := s.current()
	if n == nil {
		s.sendError(proto.CodeNotRunning, msgNotRunning, d.RequestID)
		return
	}
	if d.Addr == "" {
		s.sendError(proto.CodeWhoisError, "addr is required", d.RequestID)
		return
	}
	if !n.spawn(func() {
		res := proto.WhoisResultData{Addr: d.Addr, RequestID: d.RequestID}
		id, err := n.b.WhoIs(n.ctx, d.Addr)
		if err != nil {
			res.Error = "whois lookup failed: " + err.Error()
		} else {
			res.Identity = &id
		}
		s.send(proto.EvtWhoisResult, res)
	}) {
		s.sendError(proto.CodeNotRunning, msgNotRunning, d.RequestID)
	}
}
