package bridge

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// waitLimit bounds every wait so a broken Pipe fails the test instead of hanging it.
const waitLimit = 5 * time.Second

// tcpPair returns both ends of a real loopback TCP connection.
func tcpPair(t *testing.T) (client, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// piped sets up left <-> [a Pipe b] <-> right and returns the outer ends and Pipe's result.
func piped(t *testing.T, idle time.Duration, wrap func(net.Conn) net.Conn) (left, right *net.TCPConn, result chan error) {
	t.Helper()
	left, a := tcpPair(t)
	right, b := tcpPair(t)
	result = make(chan error, 1)
	var pa, pb net.Conn = a, b
	if wrap != nil {
		pb = wrap(b)
	}
	go func() { result <- Pipe(pa, pb, idle) }()
	return left, right, result
}

func readExactly(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	return b
}

func expectEOF(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	var b [1]byte
	n, err := c.Read(b[:])
	if n != 0 || err != io.EOF {
		t.Fatalf("read %d bytes, %v; want EOF", n, err)
	}
}

func awaitResult(t *testing.T, result chan error) error {
	t.Helper()
	select {
	case err := <-result:
		return err
	case <-time.After(waitLimit):
		t.Fatal("Pipe did not return")
		return nil
	}
}

func mustWrite(t *testing.T, c net.Conn, b []byte) {
	t.Helper()
	if _, err := c.Write(b); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func TestPipeCarriesBytesAndPropagatesHalfClose(t *testing.T) {
	left, right, result := piped(t, time.Minute, nil)

	mustWrite(t, left, []byte("ping"))
	if got := readExactly(t, right, 4); string(got) != "ping" {
		t.Fatalf("right got %q", got)
	}
	mustWrite(t, right, []byte("pong"))
	if got := readExactly(t, left, 4); string(got) != "pong" {
		t.Fatalf("left got %q", got)
	}

	// left stops sending: right sees EOF, and can still answer.
	if err := left.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	expectEOF(t, right)
	mustWrite(t, right, []byte("after half-close"))
	if got := readExactly(t, left, 16); string(got) != "after half-close" {
		t.Fatalf("left got %q after its half-close", got)
	}
	select {
	case err := <-result:
		t.Fatalf("Pipe returned %v while one direction was still open", err)
	default:
	}

	// right stops too: both directions are done and Pipe returns cleanly.
	if err := right.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	expectEOF(t, left)
	if err := awaitResult(t, result); err != nil {
		t.Fatalf("Pipe returned %v, want nil", err)
	}
}

func TestPipeCarriesLargeTransfersBothWaysAtOnce(t *testing.T) {
	left, right, result := piped(t, time.Minute, nil)
	const size = 4 << 20
	up, down := make([]byte, size), make([]byte, size)
	_, _ = rand.Read(up)
	_, _ = rand.Read(down)

	send := func(c *net.TCPConn, b []byte) chan error {
		done := make(chan error, 1)
		go func() {
			_, err := c.Write(b)
			if err == nil {
				err = c.CloseWrite()
			}
			done <- err
		}()
		return done
	}
	upDone, downDone := send(left, up), send(right, down)
	_ = left.SetReadDeadline(time.Now().Add(waitLimit))
	_ = right.SetReadDeadline(time.Now().Add(waitLimit))
	gotDown, errL := io.ReadAll(left)
	gotUp, errR := io.ReadAll(right)
	if errL != nil || errR != nil || <-upDone != nil || <-downDone != nil {
		t.Fatalf("transfer failed: %v, %v", errL, errR)
	}
	if !bytes.Equal(gotUp, up) || !bytes.Equal(gotDown, down) {
		t.Fatalf("data corrupted: up %d/%d bytes, down %d/%d bytes", len(gotUp), size, len(gotDown), size)
	}
	if err := awaitResult(t, result); err != nil {
		t.Fatalf("Pipe returned %v", err)
	}
}

func TestPipeClosesIdleConnections(t *testing.T) {
	const idle = 200 * time.Millisecond
	began := time.Now()
	left, right, result := piped(t, idle, nil)
	if err := awaitResult(t, result); !errors.Is(err, ErrIdle) {
		t.Fatalf("Pipe returned %v, want ErrIdle", err)
	}
	if elapsed := time.Since(began); elapsed < idle {
		t.Fatalf("closed after %v, before the idle time %v", elapsed, idle)
	}
	expectEOF(t, left)
	expectEOF(t, right)
}

// TestPipeActivityPostponesIdleClose keeps one direction busy for several idle periods; the pipe must survive
// and still carry bytes the other way. The ticker only paces traffic; nothing waits on it for synchronisation.
func TestPipeActivityPostponesIdleClose(t *testing.T) {
	const idle = 500 * time.Millisecond
	left, right, result := piped(t, idle, nil)
	tick := time.NewTicker(idle / 10)
	defer tick.Stop()
	deadline := time.Now().Add(3 * idle)
	for time.Now().Before(deadline) {
		<-tick.C
		mustWrite(t, left, []byte{'x'})
		readExactly(t, right, 1)
	}
	select {
	case err := <-result:
		t.Fatalf("Pipe returned %v despite steady traffic", err)
	default:
	}
	mustWrite(t, right, []byte("still here"))
	if got := readExactly(t, left, 10); string(got) != "still here" {
		t.Fatalf("left got %q", got)
	}
}

func TestPipeClosesBothSidesWhenOneResets(t *testing.T) {
	left, right, result := piped(t, time.Minute, nil)
	mustWrite(t, left, []byte("x"))
	readExactly(t, right, 1)
	_ = left.SetLinger(0) // close with RST: an error, not an orderly EOF
	_ = left.Close()
	if err := awaitResult(t, result); err == nil {
		t.Fatal("Pipe returned nil after a connection reset")
	}
	expectEOF(t, right)
}

// noHalfClose hides CloseWrite, as some connection types lack it.
type noHalfClose struct{ net.Conn }

func TestPipeWithoutCloseWriteClosesFully(t *testing.T) {
	left, right, result := piped(t, time.Minute, func(c net.Conn) net.Conn { return noHalfClose{c} })
	mustWrite(t, left, []byte("bye"))
	if err := left.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if got := readExactly(t, right, 3); string(got) != "bye" {
		t.Fatalf("right got %q", got)
	}
	expectEOF(t, right)
	// right's side of the pipe is now closed entirely, so the reverse direction ends too.
	expectEOF(t, left)
	if err := awaitResult(t, result); err != nil {
		t.Fatalf("Pipe returned %v, want nil", err)
	}
}
