package lifecycle

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The tsnet backend's budget: 3 s to go offline, tailscale.com's 5 s logout bound, 2 s for the rest of Close.
var tsnetBudget = Budget{Offline: 3 * time.Second, Logout: 5 * time.Second, Close: 2 * time.Second}

func TestPlanStop(t *testing.T) {
	s := time.Second
	for _, c := range []struct {
		name      string
		total     time.Duration
		ephemeral bool
		want      Plan
	}{
		// The sidecar's 10 s stop budget.
		{"node, full budget", 10 * s, false, Plan{Offline: 3 * s, Close: 7 * s}},
		{"ephemeral, full budget: no offline step, the logout keeps its 5 s", 10 * s, true, Plan{Logout: 5 * s, Close: 5 * s}},
		// Left after a slow start or a long wait for the start to return.
		{"node, going offline never takes Close's time", 4 * s, false, Plan{Offline: 2 * s, Close: 2 * s, Short: true}},
		{"node, less than Close needs: no offline step", 1 * s, false, Plan{Close: 1 * s, Short: true}},
		{"ephemeral, the logout first", 6 * s, true, Plan{Logout: 5 * s, Close: 1 * s, Short: true}},
		{"ephemeral, less than the logout needs", 3 * s, true, Plan{Logout: 3 * s, Short: true}},
		{"deadline passed", -s, false, Plan{Short: true}},
		{"ephemeral, deadline passed", -s, true, Plan{Short: true}},
		{"node, exactly enough", 5 * s, false, Plan{Offline: 3 * s, Close: 2 * s}},
		{"ephemeral, exactly enough", 7 * s, true, Plan{Logout: 5 * s, Close: 2 * s}},
	} {
		got := PlanStop(c.total, c.ephemeral, tsnetBudget)
		if got != c.want {
			t.Errorf("%s: PlanStop(%v, ephemeral=%v) = %+v, want %+v", c.name, c.total, c.ephemeral, got, c.want)
		}
		if parts := got.Offline + got.Logout + got.Close; c.total >= 0 && parts != c.total {
			t.Errorf("%s: the plan's parts add up to %v of %v", c.name, parts, c.total)
		}
	}
}

// StopServer gives going offline the plan's share, counted from the clock's now to ctx's deadline; an ephemeral
// node never goes offline first, so its logout (inside Close) gets the budget.
func TestStopServerFollowsThePlan(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		name         string
		budget       time.Duration
		ephemeral    bool
		wantOffline  bool
		wantDeadline time.Time
	}{
		{"node", 10 * time.Second, false, true, now.Add(3 * time.Second)},
		{"node with 4 s left", 4 * time.Second, false, true, now.Add(2 * time.Second)},
		{"node with less than Close needs", time.Second, false, false, time.Time{}},
		{"ephemeral node", 10 * time.Second, true, false, time.Time{}},
	} {
		ctx, cancel := context.WithDeadline(context.Background(), now.Add(c.budget))
		var wentOffline bool
		var deadline time.Time
		closed, released := false, false
		err := StopServer(ctx, Stop{
			Ephemeral: c.ephemeral,
			GoOffline: func(ctx context.Context) error {
				wentOffline = true
				deadline, _ = ctx.Deadline()
				return errors.New("control unreachable") // logged; the stop goes on
			},
			Close:  func() error { closed = true; return nil },
			Budget: tsnetBudget,
			Now:    func() time.Time { return now },
		}, func() { released = true })
		cancel()
		if err != nil {
			t.Fatalf("%s: StopServer = %v", c.name, err)
		}
		if wentOffline != c.wantOffline || !deadline.Equal(c.wantDeadline) {
			t.Errorf("%s: went offline %v with deadline %v, want %v with %v", c.name, wentOffline, deadline, c.wantOffline, c.wantDeadline)
		}
		if !closed || !released {
			t.Errorf("%s: closed %v, released %v", c.name, closed, released)
		}
	}
}

// A budget too short for the steps is logged, so a logout cut short can be told from one that failed.
func TestShortBudgetIsLogged(t *testing.T) {
	now := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(2*time.Second))
	defer cancel()
	var logged []string
	logf := func(format string, args ...any) { logged = append(logged, format) }
	if err := StopServer(ctx, Stop{Ephemeral: true, Close: func() error { return nil }, Budget: tsnetBudget, Logf: logf, Now: func() time.Time { return now }}, nil); err != nil {
		t.Fatal(err)
	}
	if len(logged) != 1 {
		t.Fatalf("logged %q, want one line about the short budget", logged)
	}
}

// Without a deadline every step gets its full share.
func TestStopServerWithoutDeadline(t *testing.T) {
	var deadline time.Time
	now := time.Now()
	err := StopServer(context.Background(), Stop{
		GoOffline: func(ctx context.Context) error { deadline, _ = ctx.Deadline(); return nil },
		Close:     func() error { return nil },
		Budget:    tsnetBudget,
		Now:       func() time.Time { return now },
	}, nil)
	if err != nil || !deadline.Equal(now.Add(3*time.Second)) {
		t.Fatalf("StopServer = %v, offline deadline %v, want %v", err, deadline, now.Add(3*time.Second))
	}
}
