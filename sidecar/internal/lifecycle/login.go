package lifecycle

import (
	"context"
	"time"
)

// LoginWatch is one subscription to the node's notifications.
type LoginWatch interface {
	// Next blocks for the next notification: the login URL it carries ("" when none) and whether it reports a
	// change of state, after which the URL the node waits on is read again. It fails once the subscription has
	// ended (its context was cancelled, or the stream broke).
	Next() (url string, stateChanged bool, err error)
	Close() error
}

// LoginFollower reports the login URLs of a node for as long as it runs, not only the first: control issues a
// new URL when the old one expires or when a running node must log in again (its key expired). Each distinct URL
// is reported once, in order. URLs come from two places, because a node reports a URL on its notification stream
// only to an interactive login: the notifications, and the URL the node waits on (AuthURL), read at every
// subscription, after every change of state and every Poll while the node waits for a login.
type LoginFollower struct {
	// Subscribe starts a subscription that ends with ctx.
	Subscribe func(ctx context.Context) (LoginWatch, error)
	// AuthURL reads the URL the node waits on ("" when none) and whether it waits for a login at all.
	AuthURL func(ctx context.Context) (url string, needsLogin bool, err error)
	Report  func(url string)
	// Retry is the wait before subscribing again after a subscription failed or ended.
	Retry time.Duration
	// Poll is how often AuthURL is read while the node waits for a login.
	Poll time.Duration
	// After is the clock's timer; nil is time.After.
	After func(d time.Duration) <-chan time.Time
	// Logf logs failures; nil discards.
	Logf func(format string, args ...any)

	last string
}

type loginNote struct {
	url     string
	changed bool
}

// Run follows the node until ctx ends. It is not safe to run twice at once.
func (f *LoginFollower) Run(ctx context.Context) {
	for ctx.Err() == nil {
		f.follow(ctx)
		select {
		case <-ctx.Done():
		case <-f.after(f.Retry):
		}
	}
}

// follow reads one subscription until it ends or ctx does.
func (f *LoginFollower) follow(ctx context.Context) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the subscription, and with it a Next that is still blocked
	w, err := f.Subscribe(sctx)
	if err != nil {
		f.logf("follow login: subscribe: %v", err)
		return
	}
	defer w.Close()
	notes := make(chan loginNote)
	broken := make(chan error, 1)
	go func() {
		for {
			url, changed, err := w.Next()
			if err != nil {
				broken <- err
				return
			}
			select {
			case notes <- loginNote{url, changed}:
			case <-sctx.Done():
				return
			}
		}
	}()

	// The subscription may have begun after a URL was issued: read the current one first.
	waiting := f.check(sctx)
	var poll <-chan time.Time
	for {
		if waiting && poll == nil {
			poll = f.after(f.Poll)
		} else if !waiting {
			poll = nil
		}
		select {
		case <-ctx.Done():
			return
		case err := <-broken:
			f.logf("follow login: subscription ended: %v", err)
			return
		case n := <-notes:
			f.report(n.url)
			if n.changed {
				waiting = f.check(sctx)
			}
		case <-poll:
			poll = nil
			waiting = f.check(sctx)
		}
	}
}

// check reports the URL the node waits on and returns whether it waits for a login; a failed read counts as
// waiting, so that the poll tries again.
func (f *LoginFollower) check(ctx context.Context) bool {
	url, needsLogin, err := f.AuthURL(ctx)
	if err != nil {
		if ctx.Err() == nil {
			f.logf("follow login: read login URL: %v", err)
		}
		return true
	}
	if needsLogin {
		f.report(url)
	}
	return needsLogin
}

func (f *LoginFollower) report(url string) {
	if url == "" || url == f.last {
		return
	}
	f.last = url
	f.Report(url)
}

func (f *LoginFollower) after(d time.Duration) <-chan time.Time {
	if f.After != nil {
		return f.After(d)
	}
	return time.After(d)
}

func (f *LoginFollower) logf(format string, args ...any) {
	if f.Logf != nil {
		f.Logf(format, args...)
	}
}
