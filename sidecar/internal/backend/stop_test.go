package backend

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The sidecar's stop budget is 10 s; tsnet bounds an ephemeral node's logout, inside Close, at 5 s. An ephemeral
// node must not spend any of that budget on going offline first.
func TestEphemeralNodeSpendsItsStopBudgetOnClose(t *testing.T) {
	for _, ephemeral := range []bool{false, true} {
		offline := false
		var offlineDeadline time.Duration
		err := StopNode(context.Background(), NodeStop{
			Ephemeral: ephemeral,
			GoOffline: func(ctx context.Context) error {
				offline = true
				d, _ := ctx.Deadline()
				offlineDeadline = time.Until(d)
				return errors.New("control unreachable") // logged, the stop goes on
			},
			OfflineBudget: 3 * time.Second,
			Close:         func() error { return nil },
		})
		if err != nil {
			t.Fatalf("ephemeral=%v: %v", ephemeral, err)
		}
		if offline == ephemeral {
			t.Fatalf("ephemeral=%v: went offline first = %v", ephemeral, offline)
		}
		if !ephemeral && (offlineDeadline <= 0 || offlineDeadline > 3*time.Second) {
			t.Fatalf("going offline had %v, want at most its 3 s budget", offlineDeadline)
		}
	}
}

func TestCloseThatOutlivesTheBudgetGoesOnAndReportsItsRelease(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	unblock := make(chan struct{})
	released := make(chan struct{})
	go func() { cancel() }()
	err := StopNode(ctx, NodeStop{
		Ephemeral: true,
		Close:     func() error { <-unblock; return nil },
		Released:  func() { close(released) },
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("StopNode = %v, want the budget's end", err)
	}
	select {
	case <-released:
		t.Fatal("released before Close returned")
	default:
	}
	close(unblock)
	select {
	case <-released:
	case <-time.After(5 * time.Second):
		t.Fatal("Close returned but the release was never reported")
	}
}
