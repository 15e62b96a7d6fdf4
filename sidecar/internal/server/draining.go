package server

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

// stateDirs remembers the state directories whose backend was still releasing them when its stop returned (a
// backend.Drainer whose Stop ran out of time). A new start on such a directory waits until it is released, so two
// network nodes never run on one state directory at once (for tsnet, two servers with one node identity).
type stateDirs struct {
	mu       sync.Mutex
	draining map[string]<-chan struct{}
}

func stateDirKey(dir string) string {
	if dir == "" {
		return ""
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
}

// stopped records dir as held by b when b is a backend.Drainer that has not released it yet; it reports whether it did.
func (d *stateDirs) stopped(dir string, b backend.Backend) bool {
	drainer, ok := b.(backend.Drainer)
	key := stateDirKey(dir)
	if !ok || key == "" {
		return false
	}
	released := drainer.Drained()
	select {
	case <-released:
		return false
	default:
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.draining == nil {
		d.draining = map[string]<-chan struct{}{}
	}
	d.draining[key] = released
	return true
}

// previous returns what a start on dir must wait for: the release of its previous backend, or nil when nothing
// holds dir.
func (d *stateDirs) previous(dir string) <-chan struct{} {
	key := stateDirKey(dir)
	d.mu.Lock()
	defer d.mu.Unlock()
	released, ok := d.draining[key]
	if !ok {
		return nil
	}
	select {
	case <-released:
		delete(d.draining, key)
		return nil
	default:
		return released
	}
}

// awaitRelease waits until released is closed (at once when it is nil), ctx ends (ctx's error) or limit passes (an
// error naming dir).
func awaitRelease(ctx context.Context, released <-chan struct{}, limit time.Duration, dir string) error {
	if released == nil {
		return nil
	}
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-released:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("the previous node on state directory %s is still stopping after %v; start again once it has stopped", dir, limit)
	}
}
