package loopback

// Connection tracking: Stop must close every listener and connection the node handed out.

import (
	"net"
	"strconv"
)

func (n *node) add(register func()) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	register()
	return true
}

func (n *node) track(c *net.TCPConn) (net.Conn, error) {
	tc := &conn{TCPConn: c, n: n}
	if !n.add(func() { n.conns[tc] = struct{}{} }) {
		c.Close()
		return nil, ErrNotRunning
	}
	return tc, nil
}

// reserve binds every port on ip; nil (with nothing left bound) when any of them is taken.
func reserve(ip string, ports []int) map[int]*net.TCPListener {
	reserved := make(map[int]*net.TCPListener, len(ports))
	for _, port := range ports {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			for _, r := range reserved {
				r.Close()
			}
			return nil
		}
		reserved[port] = l.(*net.TCPListener)
	}
	return reserved
}

// takeReserved hands over the listener bound at start for port, if there is one.
func (n *node) takeReserved(port int) *net.TCPListener {
	n.mu.Lock()
	defer n.mu.Unlock()
	l := n.reserved[port]
	delete(n.reserved, port)
	return l
}

// closeReserved closes the ports still held from the start.
func (n *node) closeReserved() {
	n.mu.Lock()
	rs := n.reserved
	n.reserved = nil
	n.mu.Unlock()
	for _, l := range rs {
		l.Close()
	}
}

// closeAll closes every listener, reserved port and connection; later ones are refused.
func (n *node) closeAll() {
	n.closeReserved()
	n.mu.Lock()
	n.closed = true
	ls, cs := n.listeners, n.conns
	n.listeners, n.conns = nil, nil
	n.mu.Unlock()
	for l := range ls {
		l.l.Close()
	}
	for c := range cs {
		c.TCPConn.Close()
	}
}

// listener tracks its accepted connections so Stop can close them.
type listener struct {
	l *net.TCPListener
	n *node
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	return l.n.track(c)
}

func (l *listener) Close() error {
	l.n.mu.Lock()
	delete(l.n.listeners, l)
	l.n.mu.Unlock()
	return l.l.Close()
}

func (l *listener) Addr() net.Addr { return l.l.Addr() }

// conn is a TCP connection of the node; the embedded *net.TCPConn keeps CloseWrite and CloseRead available for
// half-close.
type conn struct {
	*net.TCPConn
	n *node
}

func (c *conn) Close() error {
	c.n.mu.Lock()
	delete(c.n.conns, c)
	c.n.mu.Unlock()
	return c.TCPConn.Close()
}
