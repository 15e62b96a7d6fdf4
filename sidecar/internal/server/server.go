// Package server is the sidecar's command dispatcher: it reads control commands from the host, drives a backend
// and answers with events (SPEC §3), and carries every network connection to the host over the bridge.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/backend/loopback"
	"github.com/truffle-dotnet/truffle/sidecar/internal/proto"
)

// Timings of the protocol.
const (
	// DialTimeout bounds a bridge:dial.
	DialTimeout = 30 * time.Second
	// WhoIsTimeout bounds the WhoIs lookup that names the remote end of an accepted connection.
	WhoIsTimeout = 3 * time.Second
	// bridgeConnectTimeout bounds connecting to the host's bridge listener and writing the header.
	bridgeConnectTimeout = 5 * time.Second
	// defaultStopTimeout bounds Backend.Stop, the wait for an unfinished Backend.Start during a stop, and a start's
	// wait for the previous node on its state directory to finish stopping.
	defaultStopTimeout = 10 * time.Second
)

// Messages shared with the published sidecar.
const (
	msgNotRunning     = "node not running"
	msgAlreadyStarted = "node already started"
	// MsgStateDirRequired answers a tsnet start without a state directory: tsnet would fall back to one directory
	// per user, shared by every sidecar of that user, so two nodes would have one identity.
	MsgStateDirRequired = "stateDir is required for the tsnet backend: without one, tsnet would keep the node's identity in a per-user directory that every sidecar of the user shares"
	// MsgTsnetNotBuilt answers a start asking for the tsnet backend in a binary built without it.
	MsgTsnetNotBuilt = "the tsnet (Tailscale) backend is not built into this sidecar: use Truffle packages packed with the Tailscale sidecar, or set TRUFFLE_SIDECAR to a sidecar built from sidecar/tsnet (docs/packaging.md); the loopback network (TruffleNetwork.Loopback) tries things on one machine"
)

// BackendFactory creates the backend a tsnet:start asks for (StartData.BackendName()). An error is reported to
// the host as START_ERROR with the error's text. The tsnet module supplies a factory that handles "tsnet" and
// delegates everything else to DefaultBackend.
type BackendFactory func(d proto.StartData) (backend.Backend, error)

// DefaultBackend knows only the loopback backend; it needs LoopbackDir.
func DefaultBackend(d proto.StartData) (backend.Backend, error) {
	switch name := d.BackendName(); name {
	case proto.BackendLoopback:
		if d.LoopbackDir == "" {
			return nil, errors.New("loopbackDir is required for the loopback backend")
		}
		for _, port := range d.LoopbackPorts {
			if port < 1 || port > 65535 {
				return nil, fmt.Errorf("loopbackPorts: invalid port %d", port)
			}
		}
		return loopback.NewWithPorts(d.LoopbackDir, d.LoopbackPorts), nil
	case proto.BackendTsnet:
		return nil, errors.New(MsgTsnetNotBuilt)
	default:
		return nil, fmt.Errorf("unknown backend: %s", name)
	}
}

// Config configures a Server.
type Config struct {
	In  io.Reader // commands, one JSON object per line (stdin)
	Out io.Writer // events, one JSON object per line (stdout); nothing else may write to it
	// Logger receives diagnostics; nil discards them. It must not write to Out.
	Logger *log.Logger
	// NewBackend creates the backend for tsnet:start; nil means DefaultBackend.
	NewBackend BackendFactory
	// MaxLine is the longest accepted command line; 0 means proto.MaxLine (tests use a small one).
	MaxLine int
	// StopTimeout bounds a backend's stop and a start's wait for the previous node on its state directory; 0 means
	// 10 s (tests use a short one).
	StopTimeout time.Duration
}

// Server runs the control protocol for one sidecar process.
type Server struct {
	lr          *proto.LineReader
	w           *proto.Writer
	log         *log.Logger
	newBackend  BackendFactory
	maxLine     int
	stopTimeout time.Duration
	stateDirs   stateDirs

	mu   sync.Mutex // guards node
	node *node      // nil until tsnet:start is accepted and again after tsnet:stop
}

// New returns a Server for cfg; call Run to serve.
func New(cfg Config) *Server {
	s := &Server{
		w:           proto.NewWriter(cfg.Out),
		log:         cfg.Logger,
		newBackend:  cfg.NewBackend,
		maxLine:     cfg.MaxLine,
		stopTimeout: cfg.StopTimeout,
	}
	if s.log == nil {
		s.log = log.New(io.Discard, "", 0)
	}
	if s.newBackend == nil {
		s.newBackend = DefaultBackend
	}
	if s.maxLine <= 0 {
		s.maxLine = proto.MaxLine
	}
	if s.stopTimeout <= 0 {
		s.stopTimeout = defaultStopTimeout
	}
	s.lr = proto.NewLineReaderLimit(cfg.In, s.maxLine)
	return s
}

type readResult struct {
	line []byte
	err  error
}

// Run reads and handles commands until the input ends (the host died or closed stdin) or ctx ends; either way it
// stops the node cleanly, sends tsnet:stopped and returns nil. A read error other than EOF is returned after the
// same clean stop. Commands that take time run on their own goroutines, so Run keeps reading meanwhile.
func (s *Server) Run(ctx context.Context) error {
	lines := make(chan readResult)
	done := make(chan struct{})
	defer close(done)
	// The reader goroutine may stay blocked in Read after ctx ends; the process exits or the caller closes In.
	go func() {
		for {
			line, err := s.lr.ReadLine()
			select {
			case lines <- readResult{line, err}:
			case <-done:
				return
			}
			if err != nil && !errors.Is(err, proto.ErrLineTooLarge) {
				return
			}
		}
	}()

	for {
		var r readResult
		select {
		case <-ctx.Done():
			s.log.Printf("shutting down: %v", ctx.Err())
			s.shutdown()
			return nil
		case r = <-lines:
		}
		switch {
		case r.err == nil:
			s.handleLine(ctx, r.line)
		case errors.Is(r.err, proto.ErrLineTooLarge):
			s.sendError(proto.CodeCommandTooLarge, fmt.Sprintf("command exceeds %d byte limit", s.maxLine), "")
		case errors.Is(r.err, io.EOF):
			s.log.Printf("input closed; stopping")
			s.shutdown()
			return nil
		default:
			s.log.Printf("read commands: %v; stopping", r.err)
			s.shutdown()
			return r.err
		}
	}
}

// shutdown stops the node, if any, and tells the host, as the published sidecar does when stdin closes.
func (s *Server) shutdown() {
	s.stopNode()
	s.send(proto.EvtStopped, nil)
}

func (s *Server) handleLine(ctx context.Context, line []byte) {
	cmd, err := proto.ParseCommand(line)
	if err != nil {
		s.sendError(proto.CodeParseError, err.Error(), "")
		return
	}
	switch cmd.Command {
	case proto.CmdStart:
		s.handleStart(cmd)
	case proto.CmdStop:
		s.stopNode()
		s.send(proto.EvtStopped, nil)
	case proto.CmdGetPeers:
		s.handleGetPeers(cmd)
	case proto.CmdWatchPeers:
		s.handleWatchPeers(cmd)
	case proto.CmdListen:
		s.handleListen(cmd)
	case proto.CmdUnlisten:
		s.handleUnlisten(cmd)
	case proto.CmdDial:
		s.handleDial(cmd)
	case proto.CmdWhois:
		s.handleWhois(cmd)
	default:
		s.sendError(proto.CodeUnknownCmd, "unknown command: "+cmd.Command, cmd.RequestID())
	}
}

// send writes one event. A failed write means the host is gone; its stdin EOF will stop us, so only log it.
func (s *Server) send(name string, data any) {
	if err := s.w.Send(proto.Event{Event: name, Data: data}); err != nil {
		s.log.Printf("send %s: %v", name, err)
	}
}

func (s *Server) sendError(code, message, requestID string) {
	if err := s.w.SendError(code, message, requestID); err != nil {
		s.log.Printf("send error %s: %v", code, err)
	}
}

// current returns the started node, or nil.
func (s *Server) current() *node {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.node
}

// stopNode stops the node, if one is started: listeners close, dials and the peer watch are cancelled (pending
// dials answer "context canceled"), the backend stops and every bridged connection is closed. It returns once all
// of the node's goroutines have ended, so no event about the node follows the caller's tsnet:stopped.
func (s *Server) stopNode() {
	s.mu.Lock()
	n := s.node
	s.node = nil
	s.mu.Unlock()
	if n == nil {
		return
	}
	n.shutdown(s.log, s.stopTimeout)
	if s.stateDirs.stopped(n.stateDir, n.b) {
		s.log.Printf("stop: the node is still releasing %s; a start on it waits until it has", n.stateDir)
	}
}
