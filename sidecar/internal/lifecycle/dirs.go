package lifecycle

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"
)

// Dirs remembers the state directories whose server was still releasing them when its stop returned (the stop
// ran out of time). A new start on such a directory waits until it is released, so two servers never run on one
// state directory at once (for tsnet, two servers with one node identity). The zero value is ready to use.
type Dirs struct {
	// After is the clock's timer for Await; nil is time.After.
	After func(d time.Duration) <-chan time.Time

	mu   sync.Mutex
	held map[string]<-chan struct{}
}

// dirKey names dir so that two spellings of one directory are one key; "" is no directory.
func dirKey(dir string) string {
	if dir == "" {
		return ""
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
}

// Stopped records that the server stopped on dir will have let go of it when released is closed (Node.Released).
// It reports whether dir is still held; an empty dir, or one already released, is not recorded.
func (d *Dirs) Stopped(dir string, released <-chan struct{}) bool {
	key := dirKey(dir)
	if key == "" || released == nil {
		return false
	}
	select {
	case <-released:
		return false
	default:
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.held == nil {
		d.held = map[string]<-chan struct{}{}
	}
	d.held[key] = released
	return true
}

// Previous returns what a start on dir must wait for: the release of the server stopped on it last, or nil when
// nothing holds dir.
func (d *Dirs) Previous(dir string) <-chan struct{} {
	key := dirKey(dir)
	d.mu.Lock()
	defer d.mu.Unlock()
	released, ok := d.held[key]
	if !ok {
		return nil
	}
	select {
	case <-released:
		delete(d.held, key)
		return nil
	default:
		return released
	}
}

// Await waits until released (from Previous) is closed, at once when it is nil. It returns ctx's error when ctx
// ends first, and an error naming dir when limit passes first.
func (d *Dirs) Await(ctx context.Context, released <-chan struct{}, limit time.Duration, dir string) error {
	if released == nil {
		return nil
	}
	var timeout <-chan time.Time
	if d.After != nil {
		timeout = d.After(limit)
	} else {
		t := time.NewTimer(limit)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-released:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout:
		return fmt.Errorf("the previous node on state directory %s is still stopping after %v; start again once it has stopped", dir, limit)
	}
}
