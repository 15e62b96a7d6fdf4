package lifecycle

import (
	"context"
	"fmt"
	"time"
)

// Budget is the most each step of a stop may take.
type Budget struct {
	// Offline bounds going offline (for tsnet, WantRunning=false), which lets peers see the node leave at once
	// instead of when control times it out.
	Offline time.Duration
	// Logout is what an ephemeral node's logout takes at most inside Close (tailscale.com bounds it itself).
	Logout time.Duration
	// Close is what the rest of Close needs (listeners, log flush), kept free of going offline.
	Close time.Duration
}

// Plan is a stop budget split between the steps of a stop; the parts add up to at most the budget.
type Plan struct {
	Offline time.Duration // 0: the node does not go offline first
	Logout  time.Duration // reserved for an ephemeral node's logout; 0 for any other node
	Close   time.Duration // what is left for the rest of Close
	// Short is set when the budget is smaller than the steps need: the logout or the close may be cut short, and
	// then goes on in the background.
	Short bool
}

// PlanStop splits total, the time left before the stop's deadline, for a node. An ephemeral node does not go
// offline first: its logout removes it from every peer at once, so going offline would only take time from the
// logout. Any other node goes offline for at most b.Offline, and never into the time Close needs.
func PlanStop(total time.Duration, ephemeral bool, b Budget) Plan {
	if total < 0 {
		total = 0
	}
	var p Plan
	if ephemeral {
		p.Logout = minDuration(b.Logout, total)
		p.Close = total - p.Logout
		p.Short = total < b.Logout+b.Close
		return p
	}
	p.Offline = minDuration(b.Offline, total-b.Close)
	if p.Offline < 0 {
		p.Offline = 0
	}
	p.Close = total - p.Offline
	p.Short = total < b.Offline+b.Close
	return p
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// Stop is how a started server leaves the network.
type Stop struct {
	Ephemeral bool
	// GoOffline tells the network the node is going away; it gets the plan's Offline share of the budget. Its
	// error is logged and the stop goes on. Nil: the node has no such step.
	GoOffline func(ctx context.Context) error
	// Close releases everything the server holds (for an ephemeral node, after logging it out). It takes no
	// context: when the budget ends first, it goes on in the background.
	Close  func() error
	Budget Budget
	// Logf logs; nil discards.
	Logf func(format string, args ...any)
	// Now reads the clock to find the time left before ctx's deadline; nil is time.Now.
	Now func() time.Time
}

func (s Stop) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

func (s Stop) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// StopServer runs s within ctx by PlanStop over the time left before ctx's deadline (the whole of s.Budget when
// ctx has none): GoOffline for the plan's Offline share (skipped when it is 0), then Close. It returns Close's
// error, or an error wrapping ctx's when ctx ends first; Close then goes on, and released (if not nil) is called
// once Close has returned in either case.
func StopServer(ctx context.Context, s Stop, released func()) error {
	now := s.now()
	total := s.Budget.Offline + s.Budget.Logout + s.Budget.Close
	if deadline, ok := ctx.Deadline(); ok {
		total = deadline.Sub(now)
	}
	plan := PlanStop(total, s.Ephemeral, s.Budget)
	if plan.Short {
		s.logf("stop: %v left is less than the stop needs; closing may go on after the stop returns", total)
	}
	if plan.Offline > 0 && s.GoOffline != nil {
		octx, cancel := context.WithDeadline(ctx, now.Add(plan.Offline))
		err := s.GoOffline(octx)
		cancel()
		if err != nil {
			s.logf("stop: going offline: %v", err)
		}
	}
	closed := make(chan error, 1)
	go func() {
		err := s.Close()
		if released != nil {
			released()
		}
		closed <- err
	}()
	select {
	case err := <-closed:
		return err
	case <-ctx.Done():
		return fmt.Errorf("stop: close still running: %w", ctx.Err())
	}
}
