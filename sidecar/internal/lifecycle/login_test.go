package lifecycle

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeNode is the node a LoginFollower follows: subscriptions whose notifications the test sends, AuthURL reads
// the test answers, and timers the test fires.
type fakeNode struct {
	subs     chan *fakeWatch // every subscription, as it is made
	subErr   chan error      // the answer to the next Subscribe (nil error: a new watch)
	reads    chan authAnswer // the answer to the next AuthURL read
	timers   chan fakeTimer  // every timer the follower starts
	reported chan string     // every URL the follower reports
}

type authAnswer struct {
	url        string
	needsLogin bool
	err        error
}

type fakeTimer struct {
	d    time.Duration
	fire chan time.Time
}

type fakeWatch struct {
	ctx    context.Context
	notes  chan loginNote
	broken chan error
	closed chan struct{}
}

func (w *fakeWatch) Next() (string, bool, error) {
	select {
	case n := <-w.notes:
		return n.url, n.changed, nil
	case err := <-w.broken:
		return "", false, err
	case <-w.ctx.Done():
		return "", false, w.ctx.Err()
	}
}

func (w *fakeWatch) Close() error { close(w.closed); return nil }

func newFakeNode() *fakeNode {
	return &fakeNode{
		subs: make(chan *fakeWatch, 8), subErr: make(chan error, 8), reads: make(chan authAnswer),
		timers: make(chan fakeTimer, 8), reported: make(chan string, 16),
	}
}

func (n *fakeNode) follower() *LoginFollower {
	return &LoginFollower{
		Subscribe: func(ctx context.Context) (LoginWatch, error) {
			if err := <-n.subErr; err != nil {
				return nil, err
			}
			w := &fakeWatch{ctx: ctx, notes: make(chan loginNote), broken: make(chan error, 1), closed: make(chan struct{})}
			n.subs <- w
			return w, nil
		},
		AuthURL: func(ctx context.Context) (string, bool, error) {
			select {
			case a := <-n.reads:
				return a.url, a.needsLogin, a.err
			case <-ctx.Done():
				return "", false, ctx.Err()
			}
		},
		Report: func(url string) { n.reported <- url },
		Retry:  30 * time.Second,
		Poll:   500 * time.Millisecond,
		After: func(d time.Duration) <-chan time.Time {
			c := make(chan time.Time, 1)
			n.timers <- fakeTimer{d, c}
			return c
		},
	}
}

func recv[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(eventually):
		t.Fatalf("%s never happened", what)
		var zero T
		return zero
	}
}

func send[T any](t *testing.T, c chan<- T, v T, what string) {
	t.Helper()
	select {
	case c <- v:
	case <-time.After(eventually):
		t.Fatalf("the follower never took %s", what)
	}
}

// A URL that control issues after the first, on the stream or only in the node's state, reaches the host; each
// distinct URL once; a broken subscription is replaced after Retry and misses nothing it cannot read again.
func TestLoginFollowerReportsEveryDistinctURLForTheNodesWholeLife(t *testing.T) {
	n := newFakeNode()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.follower().Run(ctx); close(done) }()

	n.subErr <- nil
	w := recv(t, n.subs, "the first subscription")
	send(t, n.reads, authAnswer{}, "the first read (running, no URL)")
	send(t, w.notes, loginNote{url: "https://login.example/a"}, "a notification")
	if got := recv(t, n.reported, "the first URL"); got != "https://login.example/a" {
		t.Fatalf("reported %q", got)
	}
	send(t, w.notes, loginNote{url: "https://login.example/a"}, "the same URL again")
	// The key expired: the state changes, and the new URL is only in the state (no interactive login).
	send(t, w.notes, loginNote{changed: true}, "a change of state")
	send(t, n.reads, authAnswer{url: "https://login.example/b", needsLogin: true}, "the read after the change")
	if got := recv(t, n.reported, "the re-issued URL"); got != "https://login.example/b" {
		t.Fatalf("reported %q, want the re-issued URL (the repeated first one must not be reported again)", got)
	}
	// While the node waits for a login, its URL is polled: control replaced it without a change of state.
	timer := recv(t, n.timers, "the poll timer while waiting for a login")
	if timer.d != 500*time.Millisecond {
		t.Fatalf("poll every %v", timer.d)
	}
	timer.fire <- time.Now()
	send(t, n.reads, authAnswer{url: "https://login.example/c", needsLogin: true}, "the polled read")
	if got := recv(t, n.reported, "the polled URL"); got != "https://login.example/c" {
		t.Fatalf("reported %q", got)
	}

	// The stream breaks: the subscription is closed, and a new one starts after Retry.
	recv(t, n.timers, "the next poll timer") // started after the polled read; never fired
	w.broken <- errors.New("bus closed")
	recv(t, w.closed, "closing the broken subscription")
	retry := recv(t, n.timers, "the retry timer")
	if retry.d != 30*time.Second {
		t.Fatalf("retry after %v", retry.d)
	}
	n.subErr <- errors.New("LocalAPI busy") // a failed subscription is retried too
	retry.fire <- time.Now()
	recv(t, n.timers, "the retry timer after a failed subscription").fire <- time.Now()
	n.subErr <- nil
	w = recv(t, n.subs, "the new subscription")
	send(t, n.reads, authAnswer{url: "https://login.example/c", needsLogin: true}, "the read at the new subscription")
	send(t, w.notes, loginNote{url: "https://login.example/d"}, "an interactive login's URL")
	if got := recv(t, n.reported, "the URL on the new subscription"); got != "https://login.example/d" {
		t.Fatalf("reported %q, want d (c was reported already)", got)
	}

	cancel()
	recv(t, done, "Run's return after the node stopped")
	recv(t, w.closed, "closing the subscription at the stop")
	select {
	case url := <-n.reported:
		t.Fatalf("reported %q more", url)
	default:
	}
}

// Once the node runs again the poll stops: no read is made until the next change of state.
func TestLoginFollowerStopsPollingOnceLoggedIn(t *testing.T) {
	n := newFakeNode()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.follower().Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	n.subErr <- nil
	w := recv(t, n.subs, "the subscription")
	send(t, n.reads, authAnswer{url: "https://login.example/a", needsLogin: true}, "the first read")
	recv(t, n.reported, "the URL")
	poll := recv(t, n.timers, "the poll timer")
	send(t, w.notes, loginNote{changed: true}, "the login finishing")
	send(t, n.reads, authAnswer{}, "the read after the login (running)")
	poll.fire <- time.Now() // a poll that was already due is ignored
	send(t, w.notes, loginNote{url: "https://login.example/b"}, "a later notification")
	if got := recv(t, n.reported, "the later URL"); got != "https://login.example/b" {
		t.Fatalf("reported %q", got)
	}
	select {
	case tm := <-n.timers:
		t.Fatalf("a timer of %v started while the node was running", tm.d)
	default:
	}
}

func TestLoginFollowerWithTheRealClockEndsWithItsContext(t *testing.T) {
	f := &LoginFollower{
		Subscribe: func(context.Context) (LoginWatch, error) { return nil, errors.New("no bus") },
		AuthURL:   func(context.Context) (string, bool, error) { return "", false, nil },
		Report:    func(string) {},
		Retry:     time.Hour,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	cancel()
	recv(t, done, "Run's return")
}
