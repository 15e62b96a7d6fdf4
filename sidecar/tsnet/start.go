package tsnetbackend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tailscale.com/client/local"
	"tailscale.com/envknob"
	"tailscale.com/ipn"
	"tailscale.com/tsnet"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/lifecycle"
)

// Start creates the tsnet node, starts it and waits until it is Running with a Tailscale address. While it waits
// it reports every login URL through OnAuthRequired (the sidecar passes each new one to the host once) and the need
// for an administrator's approval through OnNeedsApproval; once running, it goes on reporting login URLs that
// control issues later (followLogin). It returns ctx's error when ctx ends first; the caller then calls Stop. A
// start without a state directory is refused with ErrStateDirRequired.
//
// This is tsnet.Server.Up's flow, done by hand: Up only returns when Running and reports nothing about login or
// approval. Up's one-time reset of the serve config and Service advertisements is not done; this backend uses
// neither.
func (b *Backend) Start(ctx context.Context, opts backend.Options) error {
	if b.cfg.NoLogsNoSupport {
		// Process-wide; read by logpolicy when tsnet builds the log upload transport in srv.Start.
		envknob.SetNoLogsNoSupport()
	}
	srv := &tsnet.Server{
		Hostname:  opts.Hostname,
		Dir:       opts.StateDir, // never empty (checked below): tsnet would pick one shared per-user directory
		AuthKey:   opts.AuthKey,  // empty: tsnet falls back to TS_AUTHKEY / TS_AUTH_KEY
		Ephemeral: opts.Ephemeral,
		// Version note: tsnet.Server.AdvertiseTags exists from v1.88.0 on.
		AdvertiseTags: opts.Tags,
		// UserLogf: the state path and, every 5 s while logged out, the login URL. Unset, tsnet would use
		// log.Printf, which also goes to stderr; set so that it carries this sidecar's prefix.
		UserLogf: b.userLogf,
	}
	if b.cfg.Debug {
		srv.Logf = b.debugLogf // unset: tsnet discards its verbose backend log
	}

	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return ErrNotRunning
	}
	if b.srv != nil {
		b.mu.Unlock()
		return ErrAlreadyStarted
	}
	if opts.StateDir == "" {
		b.mu.Unlock()
		return ErrStateDirRequired
	}
	b.srv = srv
	b.hostname = opts.Hostname
	b.ephemeral = opts.Ephemeral
	b.mu.Unlock()

	if envknob.NoLogsNoSupport() {
		b.log.Printf("tsnet: log uploads disabled (TS_NO_LOGS_NO_SUPPORT)")
	}

	// srv.Start is synchronous and takes no context: b.life runs it on its own goroutine so that ctx can end the
	// wait, and Stop waits for it before closing the server (tsnet forbids Close before or during Start).
	err := b.life.Start(ctx, func() error {
		if err := srv.Start(); err != nil {
			return err
		}
		// Does not start anything again: Start has succeeded, so LocalClient returns the in-memory client. Should it
		// fail all the same, the server is closed here: a failed start is released without a Close.
		lc, err := srv.LocalClient()
		if err != nil {
			srv.Close()
			return err
		}
		b.mu.Lock()
		b.lc = lc
		b.mu.Unlock()
		return nil
	})
	if errors.Is(err, lifecycle.ErrStopped) || errors.Is(err, lifecycle.ErrStarted) {
		return ErrNotRunning // Stop came between the checks above and the start
	}
	if err != nil {
		return err
	}
	b.mu.Lock()
	lc := b.lc
	b.mu.Unlock()
	if err := b.waitRunning(ctx, lc, opts); err != nil {
		return err
	}
	if opts.OnAuthRequired != nil {
		go b.followLogin(lc, opts.OnAuthRequired)
	}
	return nil
}

// waitRunning follows the backend state until it is Running with an address, from IPN bus notifications and a
// status poll every statusPollInterval (the poll covers notifications this watcher was not sent).
func (b *Backend) waitRunning(ctx context.Context, lc *local.Client, opts backend.Options) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// NotifyInitialState: the first notification carries the current state and, in NeedsLogin, the login URL.
	w, err := lc.WatchIPNBus(wctx, ipn.NotifyInitialState)
	if err != nil {
		return fmt.Errorf("tsnet: watch IPN bus: %w", err)
	}
	defer w.Close()
	notes, readErr := readBus(wctx, w)

	var (
		lastState     string
		busBroken     bool
		pollTicker    = time.NewTicker(statusPollInterval)
		statusPending = true // check at once
	)
	defer pollTicker.Stop()
	// Every URL seen goes to the host side; the sidecar passes on each new one once, so a URL that control
	// re-issues (the old one expired) reaches the user too.
	authRequired := func(url string) {
		if url != "" && opts.OnAuthRequired != nil {
			opts.OnAuthRequired(url)
		}
	}
	for {
		if statusPending {
			statusPending = false
			st, err := lc.StatusWithoutPeers(wctx)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				b.debugLogf("status while starting: %v", err)
			} else {
				switch st.BackendState {
				case ipn.Running.String():
					if len(st.TailscaleIPs) > 0 {
						return nil
					}
				case ipn.NeedsLogin.String():
					authRequired(st.AuthURL)
				case ipn.NeedsMachineAuth.String():
					if lastState != st.BackendState && opts.OnNeedsApproval != nil {
						opts.OnNeedsApproval()
					}
				}
				lastState = st.BackendState
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.stopCh:
			return ErrNotRunning
		case n := <-notes:
			if n.ErrMessage != nil {
				// As tsnet.Server.Up does: an error message on the bus is fatal to start-up.
				return fmt.Errorf("tsnet: backend: %s", *n.ErrMessage)
			}
			if n.BrowseToURL != nil {
				authRequired(*n.BrowseToURL)
			}
			if n.State != nil || n.LoginFinished != nil {
				statusPending = true
			}
		case err := <-readErr:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !busBroken {
				busBroken = true // keep going on the poll alone
				b.log.Printf("tsnet: IPN bus ended while starting (%v); polling status only", err)
			}
		case <-pollTicker.C:
			statusPending = true
		}
	}
}

// followLogin reports the login URLs control issues after start (a node whose key expired must log in again) until
// the node stops, as lifecycle.LoginFollower does: BrowseToURL of every IPN bus notification, and the status's
// AuthURL at each subscription, after each change of state and every statusPollInterval while in NeedsLogin
// (tsnet's login is not interactive, so control's URL may reach only the status). A broken bus is resubscribed
// after peerRediffInterval.
func (b *Backend) followLogin(lc *local.Client, report func(url string)) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-b.stopCh
		cancel()
	}()
	f := &lifecycle.LoginFollower{
		Subscribe: func(ctx context.Context) (lifecycle.LoginWatch, error) {
			w, err := lc.WatchIPNBus(ctx, ipn.NotifyInitialState)
			if err != nil {
				return nil, err
			}
			return loginWatch{w}, nil
		},
		AuthURL: func(ctx context.Context) (string, bool, error) {
			st, err := lc.StatusWithoutPeers(ctx)
			if err != nil {
				return "", false, err
			}
			return st.AuthURL, st.BackendState == ipn.NeedsLogin.String(), nil
		},
		Report: report,
		Retry:  peerRediffInterval,
		Poll:   statusPollInterval,
		Logf:   b.debugLogf,
	}
	f.Run(ctx)
}

// loginWatch is an IPN bus subscription as lifecycle.LoginFollower reads it.
type loginWatch struct{ w *local.IPNBusWatcher }

func (l loginWatch) Next() (string, bool, error) {
	n, err := l.w.Next()
	if err != nil {
		return "", false, err
	}
	url := ""
	if n.BrowseToURL != nil {
		url = *n.BrowseToURL
	}
	return url, n.State != nil || n.LoginFinished != nil, nil
}

func (l loginWatch) Close() error { return l.w.Close() }

// readBus delivers every notification of w on the first channel until reading fails, then the error on the
// second. It stops when ctx ends.
func readBus(ctx context.Context, w *local.IPNBusWatcher) (<-chan ipn.Notify, <-chan error) {
	notes := make(chan ipn.Notify)
	errc := make(chan error, 1)
	go func() {
		for {
			n, err := w.Next()
			if err != nil {
				errc <- err
				return
			}
			select {
			case notes <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return notes, errc
}
