package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

var (
	// ErrStopped is returned by a Start after Stop: a Node runs once.
	ErrStopped = errors.New("lifecycle: node stopped")
	// ErrStarted is returned by a second Start.
	ErrStarted = errors.New("lifecycle: node already started")
)

// Node is the life of one server that holds a state directory: its start, which takes no context and so runs on
// a goroutine of its own, and its stop, which may run out of time. Released is closed only once the server has
// really let go of its state directory, so the caller can hold back the next server on that directory until then
// (two servers on one directory would run with one node identity). The zero value is not usable; call NewNode.
type Node struct {
	released    chan struct{}
	releaseOnce sync.Once

	mu        sync.Mutex
	startDone chan struct{} // nil until Start; closed when the start function has returned
	startErr  error         // valid once startDone is closed
	stopped   bool
}

// NewNode returns a node that has not started.
func NewNode() *Node { return &Node{released: make(chan struct{})} }

// Released is closed once the server no longer holds its state directory: when a Stop has closed it (even after
// that Stop returned), or at Stop when it never started or its start failed.
func (n *Node) Released() <-chan struct{} { return n.released }

func (n *Node) release() { n.releaseOnce.Do(func() { close(n.released) }) }

// Start runs start on its own goroutine and waits for it within ctx. When ctx ends first it returns ctx's error
// and start goes on: a later Stop waits for it before closing the server, because a server must not be closed
// during its start. It returns ErrStopped after Stop and ErrStarted on a second call, without running start.
func (n *Node) Start(ctx context.Context, start func() error) error {
	n.mu.Lock()
	if n.stopped {
		n.mu.Unlock()
		return ErrStopped
	}
	if n.startDone != nil {
		n.mu.Unlock()
		return ErrStarted
	}
	done := make(chan struct{})
	n.startDone = done
	n.mu.Unlock()

	go func() {
		err := start()
		n.mu.Lock()
		n.startErr = err
		n.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.startErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop stops the node within ctx: when the start has succeeded, s runs (StopServer); when the start is still
// running at ctx's end, Stop returns an error wrapping ctx's and the server is closed, without going offline,
// once its start returns. Released is closed when the server has closed in either case. A node that never
// started, or whose start failed, is released at once: a failed start has released what it had opened, and
// closing a half-built server is not safe. Stop is idempotent; later calls return nil.
func (n *Node) Stop(ctx context.Context, s Stop) error {
	n.mu.Lock()
	if n.stopped {
		n.mu.Unlock()
		return nil
	}
	n.stopped = true
	done := n.startDone
	n.mu.Unlock()
	if done == nil {
		n.release()
		return nil
	}

	select {
	case <-done:
	case <-ctx.Done():
		go func() {
			<-done
			if n.failed() == nil {
				if err := s.Close(); err != nil {
					s.logf("stop: close after start: %v", err)
				}
			}
			n.release()
		}()
		return fmt.Errorf("stop: start still running: %w", ctx.Err())
	}
	if n.failed() != nil {
		n.release()
		return nil
	}
	return StopServer(ctx, s, n.release)
}

func (n *Node) failed() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.startErr
}
