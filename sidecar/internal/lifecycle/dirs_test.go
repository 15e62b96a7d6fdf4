package lifecycle

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDirsRecordOnlyDirectoriesStillHeld(t *testing.T) {
	dir := t.TempDir()
	released := make(chan struct{})
	close(released)
	for _, c := range []struct {
		name     string
		dir      string
		released <-chan struct{}
		held     bool
	}{
		{"held", dir, make(chan struct{}), true},
		{"already released", dir, released, false},
		{"no state directory", "", make(chan struct{}), false},
		{"nothing to wait for", dir, nil, false},
	} {
		var d Dirs
		if got := d.Stopped(c.dir, c.released); got != c.held {
			t.Errorf("%s: Stopped = %v, want %v", c.name, got, c.held)
		}
		if got := d.Previous(c.dir) != nil; got != c.held {
			t.Errorf("%s: a start must wait = %v, want %v", c.name, got, c.held)
		}
	}
}

// One directory under two spellings is one directory; another directory is not held up.
func TestDirsHoldTheDirectoryUnderEverySpelling(t *testing.T) {
	dir := t.TempDir()
	var d Dirs
	released := make(chan struct{})
	d.Stopped(dir, released)
	for _, same := range []string{dir, dir + "/.", filepath.Join(dir, "sub", "..")} {
		if d.Previous(same) == nil {
			t.Errorf("%q is not held", same)
		}
	}
	if d.Previous(t.TempDir()) != nil {
		t.Error("another directory is held")
	}
	close(released)
	if d.Previous(dir) != nil {
		t.Error("held after its release")
	}
}

func TestAwait(t *testing.T) {
	dir := "/state/node"
	for _, c := range []struct {
		name    string
		end     func(released chan struct{}, cancel context.CancelFunc, timeout chan time.Time)
		wantErr func(error) bool
	}{
		{"released", func(r chan struct{}, _ context.CancelFunc, _ chan time.Time) { close(r) },
			func(err error) bool { return err == nil }},
		{"the start was cancelled", func(_ chan struct{}, cancel context.CancelFunc, _ chan time.Time) { cancel() },
			func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"never released within the limit", func(_ chan struct{}, _ context.CancelFunc, tm chan time.Time) { tm <- time.Now() },
			func(err error) bool {
				return err != nil && strings.Contains(err.Error(), "still stopping after 10s") && strings.Contains(err.Error(), dir)
			}},
	} {
		timeout := make(chan time.Time, 1)
		var limit time.Duration
		d := Dirs{After: func(l time.Duration) <-chan time.Time { limit = l; return timeout }}
		released := make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		c.end(released, cancel, timeout)
		err := d.Await(ctx, released, 10*time.Second, dir)
		cancel()
		if !c.wantErr(err) || limit != 10*time.Second {
			t.Errorf("%s: Await = %v (limit %v)", c.name, err, limit)
		}
	}
	var d Dirs
	if err := d.Await(context.Background(), nil, 0, dir); err != nil {
		t.Fatalf("Await with nothing to wait for = %v", err)
	}
}

// The whole rule: a server whose stop timed out during its close still holds its state directory, and the next
// server on that directory starts only once the close has returned.
func TestNextServerOnADirectoryStartsOnlyAfterTheTimedOutStopHasClosed(t *testing.T) {
	dir := t.TempDir()
	var d Dirs
	first, s := NewNode(), newServer()
	close(s.startGo)
	if err := first.Start(context.Background(), s.start); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-s.closeCalled; cancel() }()
	if err := first.Stop(ctx, s.stop()); err == nil {
		t.Fatal("the stop did not time out")
	}
	if !d.Stopped(dir, first.Released()) {
		t.Fatal("the directory is not held after a stop that timed out")
	}

	second := NewNode()
	secondStarted := make(chan bool, 1) // whether the first server's close had returned
	go func() {
		if err := d.Await(context.Background(), d.Previous(dir), time.Hour, dir); err != nil {
			t.Error(err)
			return
		}
		_ = second.Start(context.Background(), func() error {
			secondStarted <- isClosed(s.closeReturned)
			return nil
		})
	}()
	select {
	case <-secondStarted:
		t.Fatal("the second server started while the first was closing")
	default:
	}
	close(s.closeGo)
	if closedFirst := recv(t, secondStarted, "the second start"); !closedFirst {
		t.Fatal("the second server started before the first one's close returned")
	}
}
