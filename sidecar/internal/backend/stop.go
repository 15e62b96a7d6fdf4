package backend

import (
	"context"
	"fmt"
	"time"
)

// NodeStop is how a network node leaves the network within a stop budget (StopNode).
type NodeStop struct {
	// Ephemeral nodes skip GoOffline: closing one logs it out of the control server, which removes it from every
	// peer at once, and the logout needs the budget more than an offline announcement does.
	Ephemeral bool
	// GoOffline tells the network the node is going away (for tsnet, WantRunning=false); it gets at most
	// OfflineBudget of the stop budget. Its error is logged and the stop goes on.
	GoOffline     func(ctx context.Context) error
	OfflineBudget time.Duration
	// Close releases everything the node holds. It takes no context: when the budget ends first, it goes on in
	// the background.
	Close func() error
	// Released is called once Close has returned, even after StopNode has.
	Released func()
	// Logf logs; nil discards.
	Logf func(format string, args ...any)
}

// StopNode runs s within ctx: GoOffline (not for an ephemeral node), then Close. It returns Close's error, or an
// error wrapping ctx's when ctx ends first (Close then goes on and calls Released when it is done).
func StopNode(ctx context.Context, s NodeStop) error {
	if !s.Ephemeral && s.GoOffline != nil {
		octx, cancel := context.WithTimeout(ctx, s.OfflineBudget)
		err := s.GoOffline(octx)
		cancel()
		if err != nil && s.Logf != nil {
			s.Logf("stop: going offline: %v", err)
		}
	}
	closed := make(chan error, 1)
	go func() {
		err := s.Close()
		if s.Released != nil {
			s.Released()
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
