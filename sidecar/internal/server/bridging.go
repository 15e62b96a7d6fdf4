package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/bridge"
	"github.com/truffle-dotnet/truffle/sidecar/internal/proto"
)

// Commands that move bytes: listen, unlisten and bridge:dial, and the bridge connections they open to the host.

func (s *Server) handleListen(cmd proto.Command) {
	rid := cmd.RequestID()
	var d proto.ListenData
	if err := cmd.Decode(&d); err != nil {
		s.sendError(proto.CodeListenError, err.Error(), rid)
		return
	}
	n := s.current()
	if n == nil {
		s.sendError(proto.CodeNotRunning, msgNotRunning, rid)
		return
	}
	if d.Port < 0 || d.Port > 65535 {
		s.sendError(proto.CodeListenError, fmt.Sprintf("invalid port %d", d.Port), rid)
		return
	}
	n.mu.Lock()
	_, dup := n.listeners[d.Port]
	n.mu.Unlock()
	if dup && d.Port != 0 {
		s.sendError(proto.CodeListenError, fmt.Sprintf("already listening on port %d", d.Port), rid)
		return
	}
	// tls is not passed on: the backend interface has no TLS, and the bridge carries plaintext either way.
	l, port, err := n.b.Listen(n.ctx, d.Port)
	if err != nil {
		s.sendError(proto.CodeListenError, err.Error(), rid)
		return
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		l.Close()
		s.sendError(proto.CodeNotRunning, msgNotRunning, rid)
		return
	}
	if _, dup := n.listeners[port]; dup {
		n.mu.Unlock()
		l.Close()
		s.sendError(proto.CodeListenError, fmt.Sprintf("already listening on port %d", port), rid)
		return
	}
	n.listeners[port] = l
	n.mu.Unlock()
	if !n.spawn(func() { s.acceptLoop(n, l, port) }) {
		l.Close()
		s.sendError(proto.CodeNotRunning, msgNotRunning, rid)
		return
	}
	s.send(proto.EvtListening, proto.ListeningData{Port: port})
}

func (s *Server) handleUnlisten(cmd proto.Command) {
	rid := cmd.RequestID()
	var d proto.UnlistenData
	if err := cmd.Decode(&d); err != nil {
		s.sendError(proto.CodeUnlistenError, err.Error(), rid)
		return
	}
	n := s.current()
	if n == nil {
		s.sendError(proto.CodeNotRunning, msgNotRunning, rid)
		return
	}
	n.mu.Lock()
	l, ok := n.listeners[d.Port]
	delete(n.listeners, d.Port)
	n.mu.Unlock()
	if !ok {
		s.sendError(proto.CodeUnlistenError, fmt.Sprintf("no listener on port %d", d.Port), rid)
		return
	}
	// Connections already accepted on it stay bridged.
	l.Close()
	s.send(proto.EvtUnlistened, proto.UnlistenedData{Port: d.Port})
}

// acceptLoop bridges every connection accepted on l until l closes.
func (s *Server) acceptLoop(n *node, l net.Listener, port int) {
	backoff := 5 * time.Millisecond
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || n.ctx.Err() != nil {
				return
			}
			n.mu.Lock()
			cur := n.listeners[port]
			n.mu.Unlock()
			if cur != l {
				return
			}
			// Probably temporary (out of file descriptors): back off rather than spin.
			s.log.Printf("accept on port %d: %v", port, err)
			t := time.NewTimer(backoff)
			select {
			case <-n.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if backoff *= 2; backoff > time.Second {
				backoff = time.Second
			}
			continue
		}
		backoff = 5 * time.Millisecond
		if !n.track(c) {
			return
		}
		if !n.spawn(func() { s.bridgeIncoming(n, c, port) }) {
			c.Close()
			return
		}
	}
}

// bridgeIncoming names the remote end, hands the connection to the host and pipes it.
func (s *Server) bridgeIncoming(n *node, c net.Conn, port int) {
	defer n.untrack(c)
	remote := c.RemoteAddr().String()
	ctx, cancel := context.WithTimeout(n.ctx, WhoIsTimeout)
	id, err := n.b.WhoIs(ctx, remote)
	cancel()
	identity := ""
	if err != nil {
		s.log.Printf("whois %s: %v", remote, err)
	} else {
		identity = IdentityJSON(id)
	}
	h := bridge.Header{
		Token:      n.token,
		Direction:  bridge.Incoming,
		Port:       uint16(port),
		RemoteAddr: remote,
		Identity:   identity,
	}
	bc, err := s.connectBridge(n, h)
	if err != nil {
		s.log.Printf("bridge incoming from %s on port %d: %v", remote, port, err)
		c.Close()
		return
	}
	defer n.untrack(bc)
	if err := bridge.Pipe(c, bc, n.idle); err != nil && !errors.Is(err, bridge.ErrIdle) {
		s.log.Printf("bridge incoming from %s: %v", remote, err)
	}
}

// connectBridge connects to the host's bridge listener and writes h.
func (s *Server) connectBridge(n *node, h bridge.Header) (net.Conn, error) {
	hb, err := h.MarshalBinary()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(n.ctx, bridgeConnectTimeout)
	defer cancel()
	var d net.Dialer
	bc, err := d.DialContext(ctx, "tcp", n.bridgeAddr)
	if err != nil {
		return nil, fmt.Errorf("bridge connect failed: %w", err)
	}
	if !n.track(bc) {
		return nil, context.Canceled
	}
	_ = bc.SetWriteDeadline(time.Now().Add(bridgeConnectTimeout))
	if _, err := bc.Write(hb); err != nil {
		n.untrack(bc)
		bc.Close()
		return nil, fmt.Errorf("bridge header write failed: %w", err)
	}
	_ = bc.SetWriteDeadline(time.Time{})
	return bc, nil
}

// identityJSON is the incoming header's identity: compact JSON with the fields in this order.
type identityJSON struct {
	DNSName     string `json:"dnsName"`
	LoginName   string `json:"loginName"`
	DisplayName string `json:"displayName"`
	NodeID      string `json:"nodeId"`
}

// IdentityJSON encodes id for an incoming bridge header. If it exceeds bridge.MaxIdentity the optional fields are
// dropped first (display name, then login name, then node ID); "" if even the DNS name alone is too long.
func IdentityJSON(id backend.Identity) string {
	v := identityJSON{DNSName: id.DNSName, LoginName: id.LoginName, DisplayName: id.DisplayName, NodeID: id.NodeID}
	for step := 0; ; step++ {
		b, err := json.Marshal(v)
		if err == nil && len(b) <= bridge.MaxIdentity {
			return string(b)
		}
		switch step {
		case 0:
			v.DisplayName = ""
		case 1:
			v.LoginName = ""
		case 2:
			v.NodeID = ""
		default:
			return ""
		}
	}
}

func (s *Server) handleDial(cmd proto.Command) {
	var d proto.DialData
	if err := cmd.Decode(&d); err != nil {
		s.sendError(proto.CodeDialError, err.Error(), cmd.RequestID())
		return
	}
	if d.RequestID == "" {
		s.sendError(proto.CodeDialError, "requestId is required", "")
		return
	}
	fail := func(msg string) {
		s.send(proto.EvtDialResult, proto.DialResultData{RequestID: d.RequestID, Success: false, Error: msg})
	}
	n := s.current()
	if n == nil {
		fail(msgNotRunning)
		return
	}
	if len(d.RequestID) > bridge.MaxRequestID {
		fail(fmt.Sprintf("requestId longer than %d bytes", bridge.MaxRequestID))
		return
	}
	if d.Target == "" {
		fail("target is required")
		return
	}
	if d.Port < 1 || d.Port > 65535 {
		fail(fmt.Sprintf("invalid port %d", d.Port))
		return
	}
	if !n.spawn(func() {
		if err := s.dial(n, d); err != nil {
			s.log.Printf("dial %s:%d (%s): %v", d.Target, d.Port, d.RequestID, err)
			fail(err.Error())
		}
	}) {
		fail(msgNotRunning)
	}
}

// dial connects to the target and hands the connection to the host; its success is the bridge connection.
func (s *Server) dial(n *node, d proto.DialData) error {
	h := bridge.Header{
		Token:      n.token,
		Direction:  bridge.Outgoing,
		Port:       uint16(d.Port),
		RequestID:  d.RequestID,
		RemoteAddr: fmt.Sprintf("%s:%d", d.Target, d.Port),
		Identity:   d.Target,
	}
	if _, err := h.MarshalBinary(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(n.ctx, DialTimeout)
	c, err := n.b.Dial(ctx, d.Target, d.Port)
	cancel()
	if err != nil {
		return err
	}
	if !n.track(c) {
		return context.Canceled
	}
	defer n.untrack(c)
	bc, err := s.connectBridge(n, h)
	if err != nil {
		c.Close()
		return err
	}
	defer n.untrack(bc)
	if err := bridge.Pipe(c, bc, n.idle); err != nil && !errors.Is(err, bridge.ErrIdle) {
		s.log.Printf("bridge dial %s: %v", d.RequestID, err)
	}
	return nil
}
