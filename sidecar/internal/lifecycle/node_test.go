package lifecycle

import (
	"context"
	"errors"
	"testing"
	"time"
)

// eventually bounds every wait of these tests: reaching it is a failure, never the synchronisation.
const eventually = 5 * time.Second

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func awaitClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(eventually):
		t.Fatalf("%s never happened", what)
	}
}

// server is a stand-in server whose start and close block until the test lets them return.
type server struct {
	startGo, closeGo chan struct{} // closed by the test to let Start / Close return
	startErr         error
	startCalled      chan struct{}
	closeCalled      chan struct{}
	closeReturned    chan struct{}
}

func newServer() *server {
	return &server{
		startGo: make(chan struct{}), closeGo: make(chan struct{}),
		startCalled: make(chan struct{}), closeCalled: make(chan struct{}), closeReturned: make(chan struct{}),
	}
}

func (s *server) start() error {
	close(s.startCalled)
	<-s.startGo
	return s.startErr
}

func (s *server) stop() Stop {
	return Stop{Close: func() error {
		close(s.closeCalled)
		<-s.closeGo
		close(s.closeReturned)
		return nil
	}}
}

// startInBackground starts n on s and returns Start's result once it comes.
func startInBackground(n *Node, s *server) <-chan error {
	res := make(chan error, 1)
	go func() { res <- n.Start(context.Background(), s.start) }()
	return res
}

func TestNodeThatNeverStartedIsReleasedAtStop(t *testing.T) {
	n := NewNode()
	if err := n.Stop(context.Background(), Stop{}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !isClosed(n.Released()) {
		t.Fatal("a node that never started holds its state directory")
	}
	ran := false
	if err := n.Start(context.Background(), func() error { ran = true; return nil }); !errors.Is(err, ErrStopped) || ran {
		t.Fatalf("Start after Stop = %v (start ran: %v), want ErrStopped without running", err, ran)
	}
	if err := n.Stop(context.Background(), Stop{}); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestSecondStartIsRefused(t *testing.T) {
	n := NewNode()
	if err := n.Start(context.Background(), func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background(), func() error { t.Error("second start ran"); return nil }); !errors.Is(err, ErrStarted) {
		t.Fatalf("second Start = %v, want ErrStarted", err)
	}
}

// A start whose context ends returns at once; the server's start goes on, and a stop that times out while it does
// keeps the state directory held until the server has started and then closed.
func TestStopThatTimesOutDuringStartHoldsTheDirectoryUntilTheServerHasClosed(t *testing.T) {
	n, s := NewNode(), newServer()
	if err := n.Start(cancelledAfter(s.startCalled), s.start); !errors.Is(err, context.Canceled) {
		t.Fatalf("Start with an ended context = %v", err)
	}
	err := n.Stop(cancelled(), s.stop())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v, want the budget's end", err)
	}
	if isClosed(n.Released()) || isClosed(s.closeCalled) {
		t.Fatal("released, or closed, while the server was still starting")
	}
	close(s.startGo) // the start returns: the server is closed now, never before
	awaitClosed(t, s.closeCalled, "closing the server once its start returned")
	if isClosed(n.Released()) {
		t.Fatal("released while the server was closing")
	}
	close(s.closeGo)
	awaitClosed(t, n.Released(), "the release after the close")
}

// cancelledAfter is a context that ends once c is closed.
func cancelledAfter(c <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-c; cancel() }()
	return ctx
}

// A server whose start failed is not closed (closing a half-built server is not safe) and is released at once,
// whether the failure came before the stop or during a stop that ran out of time.
func TestFailedStartIsReleasedWithoutClose(t *testing.T) {
	for _, stopDuringStart := range []bool{false, true} {
		n, s := NewNode(), newServer()
		s.startErr = errors.New("no state directory access")
		started := startInBackground(n, s)
		<-s.startCalled
		if stopDuringStart {
			if err := n.Stop(cancelled(), s.stop()); err == nil {
				t.Fatal("Stop during the start reported success")
			}
			close(s.startGo)
		} else {
			close(s.startGo)
			if err := <-started; !errors.Is(err, s.startErr) {
				t.Fatalf("Start = %v", err)
			}
			if err := n.Stop(context.Background(), s.stop()); err != nil {
				t.Fatalf("Stop after a failed start: %v", err)
			}
		}
		awaitClosed(t, n.Released(), "the release of a failed start")
		if isClosed(s.closeCalled) {
			t.Fatalf("stopDuringStart=%v: a server whose start failed was closed", stopDuringStart)
		}
	}
}

// A close that outlives the stop budget goes on; the directory stays held until it returns.
func TestStopThatTimesOutDuringCloseHoldsTheDirectoryUntilCloseReturns(t *testing.T) {
	n, s := NewNode(), newServer()
	close(s.startGo)
	if err := n.Start(context.Background(), s.start); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-s.closeCalled; cancel() }()
	if err := n.Stop(ctx, s.stop()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v, want the budget's end", err)
	}
	if isClosed(n.Released()) {
		t.Fatal("released while Close was still running")
	}
	close(s.closeGo)
	awaitClosed(t, n.Released(), "the release once Close returned")
	if !isClosed(s.closeReturned) {
		t.Fatal("released before Close returned")
	}
}

func TestStopWithinBudgetReturnsClosesError(t *testing.T) {
	n := NewNode()
	if err := n.Start(context.Background(), func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	closeErr := errors.New("close failed")
	if err := n.Stop(context.Background(), Stop{Close: func() error { return closeErr }}); !errors.Is(err, closeErr) {
		t.Fatalf("Stop = %v, want Close's error", err)
	}
	if !isClosed(n.Released()) {
		t.Fatal("not released after Close returned")
	}
}
