package bridge

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrIdle reports that Pipe closed both connections because no bytes moved for the idle time.
var ErrIdle = errors.New("bridge: connection idle")

// copyBufSize is the per-direction copy buffer.
const copyBufSize = 32 << 10

// closeWriter is what *net.TCPConn, *net.UnixConn and most userspace TCP stacks offer for half-close.
type closeWriter interface{ CloseWrite() error }

// Pipe copies bytes between a and b in both directions until both directions have ended, then closes both.
//
// When one side's reads end with EOF, the other side's write half is closed so that its peer sees EOF too while
// the reverse direction keeps flowing (half-close). A connection without CloseWrite cannot be half-closed, so it
// is closed fully: the peer still learns that no more bytes will come, which matters more than the reverse
// direction. Any other error closes both connections at once.
//
// If idle > 0 and no bytes are read in either direction for idle, both connections are closed and Pipe returns
// ErrIdle. Activity in one direction keeps the whole pipe alive, because a long one-way transfer is normal.
// Pipe returns nil when both directions ended with EOF.
func Pipe(a, b net.Conn, idle time.Duration) error {
	p := &pipe{a: a, b: b, start: time.Now(), done: make(chan struct{})}
	if idle > 0 {
		go p.reap(idle)
	}
	errs := make(chan error, 2)
	go func() { errs <- p.copy(b, a) }()
	go func() { errs <- p.copy(a, b) }()
	var first error
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			if first == nil {
				first = err
			}
			// One direction failed: stop the other rather than waiting for it to notice.
			p.closeBoth()
		}
	}
	close(p.done)
	p.closeBoth()
	if p.idled.Load() {
		return ErrIdle
	}
	return first
}

type pipe struct {
	a, b      net.Conn
	start     time.Time
	lastRead  atomic.Int64 // nanoseconds since start of the latest successful read, in either direction
	idled     atomic.Bool
	closeOnce sync.Once
	done      chan struct{}
}

// copy moves bytes from src to dst and half-closes dst at src's EOF. Errors caused by the pipe closing the
// connections itself (idle reaping, the other direction failing) are reported as nil; Pipe knows why it closed.
func (p *pipe) copy(dst, src net.Conn) error {
	buf := make([]byte, copyBufSize)
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			p.lastRead.Store(int64(time.Since(p.start)))
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return p.filter(werr)
			}
		}
		if rerr == io.EOF {
			return p.filter(halfClose(dst))
		}
		if rerr != nil {
			return p.filter(rerr)
		}
	}
}

// filter drops errors that merely reflect the pipe having closed the connections.
func (p *pipe) filter(err error) error {
	if err != nil && (p.idled.Load() || errors.Is(err, net.ErrClosed)) {
		return nil
	}
	return err
}

// halfClose ends the write direction of c, or all of c when it cannot be half-closed.
func halfClose(c net.Conn) error {
	if cw, ok := c.(closeWriter); ok {
		return cw.CloseWrite()
	}
	return c.Close()
}

func (p *pipe) closeBoth() {
	p.closeOnce.Do(func() {
		_ = p.a.Close()
		_ = p.b.Close()
	})
}

// reap closes both connections once no read has succeeded for idle. It wakes only when the idle time could have
// run out, rather than touching a timer on every read.
func (p *pipe) reap(idle time.Duration) {
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			quiet := time.Since(p.start) - time.Duration(p.lastRead.Load())
			if quiet >= idle {
				p.idled.Store(true)
				p.closeBoth()
				return
			}
			t.Reset(idle - quiet)
		}
	}
}
