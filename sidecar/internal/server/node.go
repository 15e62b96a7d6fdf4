package server

import (
	"context"
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/bridge"
	"github.com/truffle-dotnet/truffle/sidecar/internal/proto"
)

// node is one started life of the sidecar: the backend and everything running on its behalf.
type node struct {
	b          backend.Backend
	hostname   string
	token      [32]byte
	bridgeAddr string // 127.0.0.1:<bridgePort>
	idle       time.Duration
	stateDir   string

	ctx       context.Context // ends at stop; every dial, lookup and watch derives from it
	cancel    context.CancelFunc
	startDone chan struct{} // closed when Backend.Start has returned

	mu        sync.Mutex // guards everything below
	closed    bool
	listeners map[int]net.Listener
	watching  bool
	conns     map[net.Conn]struct{} // tailnet and bridge ends of every bridged connection
	wg        sync.WaitGroup        // every goroutine working for the node
}

// spawn runs f on a goroutine the node's stop waits for, unless the node has stopped already.
func (n *node) spawn(f func()) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f()
	}()
	return true
}

// track registers c so that stop closes it; it closes c and reports false when the node has stopped.
func (n *node) track(c net.Conn) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		c.Close()
		return false
	}
	n.conns[c] = struct{}{}
	return true
}

func (n *node) untrack(c net.Conn) {
	n.mu.Lock()
	delete(n.conns, c)
	n.mu.Unlock()
}

// shutdown stops everything the node runs and the backend (each wait bounded by stopTimeout), and waits for the
// node's goroutines.
func (n *node) shutdown(logger *log.Logger, stopTimeout time.Duration) {
	n.cancel()
	n.mu.Lock()
	n.closed = true
	ls := n.listeners
	n.listeners = map[int]net.Listener{}
	n.mu.Unlock()
	for _, l := range ls {
		l.Close()
	}

	// A backend must not be stopped while its Start is still running; Start sees the cancelled context.
	t := time.NewTimer(stopTimeout)
	select {
	case <-n.startDone:
	case <-t.C:
		logger.Printf("stop: backend start did not return within %v", stopTimeout)
	}
	t.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	if err := n.b.Stop(ctx); err != nil {
		logger.Printf("stop backend: %v", err)
	}
	cancel()

	n.mu.Lock()
	cs := n.conns
	n.conns = map[net.Conn]struct{}{}
	n.mu.Unlock()
	for c := range cs {
		c.Close()
	}
	n.wg.Wait()
}

func (s *Server) handleStart(cmd proto.Command) {
	if s.current() != nil {
		s.sendError(proto.CodeStartError, msgAlreadyStarted, "")
		return
	}
	var d proto.StartData
	if err := cmd.Decode(&d); err != nil {
		s.sendError(proto.CodeStartError, err.Error(), "")
		return
	}
	token, err := bridge.ParseToken(d.SessionToken)
	if err != nil {
		s.sendError(proto.CodeStartError, err.Error(), "")
		return
	}
	if d.BridgePort < 1 || d.BridgePort > 65535 {
		s.sendError(proto.CodeStartError, "bridgePort must be between 1 and 65535", "")
		return
	}
	if d.Hostname == "" {
		s.sendError(proto.CodeStartError, "hostname is required", "")
		return
	}
	if d.BackendName() == proto.BackendTsnet && d.StateDir == "" {
		s.sendError(proto.CodeStartError, MsgStateDirRequired, "")
		return
	}
	b, err := s.newBackend(d)
	if err != nil {
		s.sendError(proto.CodeStartError, err.Error(), "")
		return
	}

	ctx, cancel := context.WithCancel(context.Background())
	n := &node{
		b:          b,
		hostname:   d.Hostname,
		token:      token,
		bridgeAddr: net.JoinHostPort("127.0.0.1", fmt.Sprint(d.BridgePort)),
		idle:       d.IdleTimeout(),
		stateDir:   d.StateDir,
		ctx:        ctx,
		cancel:     cancel,
		startDone:  make(chan struct{}),
		listeners:  map[int]net.Listener{},
		conns:      map[net.Conn]struct{}{},
	}
	s.mu.Lock()
	if s.node != nil { // cannot happen: only Run's goroutine starts nodes; kept for safety
		s.mu.Unlock()
		cancel()
		s.sendError(proto.CodeStartError, msgAlreadyStarted, "")
		return
	}
	s.node = n
	s.mu.Unlock()

	s.send(proto.EvtStatus, proto.StatusData{State: "starting", Hostname: d.Hostname, ProtocolVersion: proto.ProtocolVersion})

	login := &loginURLs{send: func(url string) {
		if n.ctx.Err() == nil { // nothing about a node follows its stop
			s.send(proto.EvtAuthRequired, proto.AuthRequiredData{AuthURL: url})
		}
	}}
	opts := backend.Options{
		Hostname:        d.Hostname,
		StateDir:        d.StateDir,
		AuthKey:         d.AuthKey,
		Ephemeral:       d.Ephemeral,
		Tags:            d.Tags,
		OnAuthRequired:  login.report,
		OnNeedsApproval: func() { s.send(proto.EvtNeedsApproval, nil) },
	}
	previous := s.stateDirs.Previous(d.StateDir)
	if !n.spawn(func() { s.runStart(n, opts, previous) }) {
		close(n.startDone)
	}
}

// loginURLs tells the host about every new login URL once, in the order the backend reports them.
type loginURLs struct {
	mu   sync.Mutex
	last string
	send func(url string)
}

func (l *loginURLs) report(url string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if url == "" || url == l.last {
		return
	}
	l.last = url
	l.send(url)
}

// runStart waits until the previous node on the same state directory has released it (previous; nil when none),
// joins the network and reports the node running, or START_ERROR and forgets the node so the host may start again.
func (s *Server) runStart(n *node, opts backend.Options, previous <-chan struct{}) {
	if previous != nil {
		s.log.Printf("start: waiting for the previous node on %s to finish stopping", n.stateDir)
	}
	err := s.stateDirs.Await(n.ctx, previous, s.stopTimeout, n.stateDir)
	if err == nil {
		err = n.b.Start(n.ctx, opts)
	}
	close(n.startDone)
	if n.ctx.Err() != nil {
		return // stopped meanwhile; the stop reports
	}
	if err != nil {
		s.log.Printf("start: %v", err)
		s.mu.Lock()
		mine := s.node == n
		if mine {
			s.node = nil
		}
		s.mu.Unlock()
		if mine {
			n.cancel()
			n.mu.Lock()
			n.closed = true
			n.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), s.stopTimeout)
			_ = n.b.Stop(ctx)
			cancel()
			s.stateDirs.stopped(n.stateDir, n.b)
		}
		s.sendError(proto.CodeStartError, err.Error(), "")
		return
	}
	st, err := n.b.Status(n.ctx)
	if err != nil {
		s.log.Printf("status after start: %v", err)
	}
	if st.Hostname == "" {
		st.Hostname = n.hostname
	}
	s.send(proto.EvtStatus, proto.StatusData{
		State: "running", Hostname: st.Hostname, DNSName: st.DNSName, TailscaleIP: st.TailscaleIP,
		ProtocolVersion: proto.ProtocolVersion,
	})
	s.send(proto.EvtStarted, proto.StartedData{
		State: "running", Hostname: st.Hostname, DNSName: st.DNSName, TailscaleIP: st.TailscaleIP,
		NodeID: st.NodeID, ProtocolVersion: proto.ProtocolVersion,
	})
}
