package loopback

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Timings. A node rewrites its registration every heartbeatInterval; a registration whose heartbeat is older than
// staleAfter belongs to a dead node: peers stop listing it and its address may be claimed again. Watchers poll
// the directory every pollInterval, so a node that dies is reported "left" at most staleAfter+pollInterval
// (≈1.15 s) after its last heartbeat, and at least staleAfter-heartbeatInterval (0.75 s) after it died.
//
// Liveness is a heartbeat, not a file lock, because the standard library has no portable flock, and the
// directory is polled because the standard library has no portable file-change notification.
const (
	heartbeatInterval = 250 * time.Millisecond
	staleAfter        = time.Second
	pollInterval      = 150 * time.Millisecond
	// A takeover lock or temporary file older than this belongs to a process that died mid-operation.
	leftoverAfter = 10 * time.Second
)

// The address range handed out: 127.0.0.2 … 127.0.255.254, skipping last octets 0 and 255.
const (
	firstAddr = 2
	lastAddr  = 0xfffe
)

// registration is the content of <ip>.json in the registry directory.
type registration struct {
	NodeID    string `json:"nodeId"`
	Hostname  string `json:"hostname"`
	DNSName   string `json:"dnsName"`
	IP        string `json:"ip"`
	PID       int    `json:"pid"`
	Heartbeat int64  `json:"heartbeat"` // unix nanoseconds
}

func (r registration) live(now time.Time) bool {
	return now.Sub(time.Unix(0, r.Heartbeat)) <= staleAfter
}

// claim is the content of <ip>.claim, created exclusively by the node that owns the address. Token tells two
// processes sharing a state directory (and so a node ID) apart.
type claim struct {
	NodeID string `json:"nodeId"`
	Token  string `json:"token"`
	PID    int    `json:"pid"`
}

// registry is the shared directory. Files, all named after the address:
//
//	<ip>.claim     exclusive ownership of the address (O_CREATE|O_EXCL)
//	<ip>.json      the registration, rewritten atomically (temporary file + rename) on every heartbeat
//	<ip>.takeover  exclusive lock held while a stale claim is removed and claimed again
type registry struct{ dir string }

func (r registry) claimPath(ip string) string    { return filepath.Join(r.dir, ip+".claim") }
func (r registry) regPath(ip string) string      { return filepath.Join(r.dir, ip+".json") }
func (r registry) takeoverPath(ip string) string { return filepath.Join(r.dir, ip+".takeover") }

func addrAt(n int) (string, bool) {
	lo := n & 0xff
	if lo == 0 || lo == 0xff {
		return "", false
	}
	return net.IPv4(127, 0, byte(n>>8), byte(lo)).String(), true
}

// claimAddress claims the first free address on which usable(ip) holds, taking over addresses whose owner is
// dead. An address that is free in this registry but not usable (another network's node listens there) is given
// back at once and skipped.
func (r registry) claimAddress(ctx context.Context, c claim, usable func(ip string) bool) (string, error) {
	for n := firstAddr; n <= lastAddr; n++ {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		ip, ok := addrAt(n)
		if !ok {
			continue
		}
		ok, err := r.tryClaim(ip, c)
		if err != nil {
			return "", err
		}
		if !ok {
			ok, err = r.takeOver(ip, c)
			if err != nil {
				return "", err
			}
		}
		if ok && usable(ip) {
			return ip, nil
		}
		if ok {
			r.release(ip, c.NodeID, c.Token)
		}
	}
	return "", errors.New("loopback: no free address in 127.0.0.2-127.0.255.254")
}

// tryClaim creates the claim file exclusively; false means another node holds it.
func (r registry) tryClaim(ip string, c claim) (bool, error) {
	path := r.claimPath(ip)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if os.IsExist(err) {
			return false, nil
		}
		return false, fmt.Errorf("loopback: claim %s: %w", ip, err)
	}
	data, _ := json.Marshal(c)
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return false, fmt.Errorf("loopback: claim %s: %w", ip, werr)
	}
	return true, nil
}

// claimStale reports whether the claim on ip belongs to a dead node: the claim file is older than staleAfter
// (a fresh claim's owner may not have written its registration yet) and no live registration carries the
// claim's node ID (a registration left by an earlier owner of the address does not count).
func (r registry) claimStale(ip string, now time.Time) bool {
	fi, err := os.Stat(r.claimPath(ip))
	if err != nil {
		return os.IsNotExist(err)
	}
	if now.Sub(fi.ModTime()) <= staleAfter {
		return false
	}
	var c claim
	if data, err := os.ReadFile(r.claimPath(ip)); err == nil {
		_ = json.Unmarshal(data, &c)
	}
	reg, err := r.read(ip)
	if err != nil {
		return errorReadable(err) // absent or corrupt: stale; unreadable right now: assume alive
	}
	return !(reg.live(now) && reg.NodeID == c.NodeID && c.NodeID != "")
}

// errorReadable is false for errors that may be transient (a file being replaced on Windows), true when the
// file is simply absent or corrupt.
func errorReadable(err error) bool {
	var se *json.SyntaxError
	return os.IsNotExist(err) || errors.As(err, &se) || errors.Is(err, errBadRegistration)
}

// takeOver replaces a stale claim. Only the holder of <ip>.takeover removes a claim, and it checks staleness
// again while holding it, so two nodes can never both remove and re-create the same claim.
func (r registry) takeOver(ip string, c claim) (bool, error) {
	if !r.claimStale(ip, time.Now()) {
		return false, nil
	}
	lock := r.takeoverPath(ip)
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if os.IsExist(err) {
			// Someone else is taking this address over; move on, and clear a lock its holder left by dying.
			if fi, serr := os.Stat(lock); serr == nil && time.Since(fi.ModTime()) > leftoverAfter {
				os.Remove(lock)
			}
			return false, nil
		}
		return false, fmt.Errorf("loopback: take over %s: %w", ip, err)
	}
	f.Close()
	defer os.Remove(lock)
	if !r.claimStale(ip, time.Now()) {
		return false, nil
	}
	if err := os.Remove(r.claimPath(ip)); err != nil && !os.IsNotExist(err) {
		return false, fmt.Errorf("loopback: take over %s: %w", ip, err)
	}
	return r.tryClaim(ip, c)
}

// ownsClaim reports whether the claim on ip still carries token. Read errors other than absence count as
// ownership, so a transient failure does not make a live node give up its address.
func (r registry) ownsClaim(ip, token string) bool {
	data, err := os.ReadFile(r.claimPath(ip))
	if err != nil {
		return !os.IsNotExist(err)
	}
	var c claim
	if json.Unmarshal(data, &c) != nil {
		return true
	}
	return c.Token == token
}

// write replaces the registration atomically: a temporary file in the same directory, then a rename.
func (r registry) write(reg registration) error {
	data, err := json.Marshal(reg)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(r.dir, "."+reg.IP+".json.tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), r.regPath(reg.IP))
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}

var errBadRegistration = errors.New("loopback: registration does not match its file name")

func (r registry) read(ip string) (registration, error) {
	var reg registration
	data, err := os.ReadFile(r.regPath(ip))
	if err != nil {
		return reg, err
	}
	if err := json.Unmarshal(data, &reg); err != nil {
		return reg, err
	}
	if reg.IP != ip || reg.NodeID == "" {
		return reg, errBadRegistration
	}
	return reg, nil
}

// release removes the node's registration and claim, unless another node has taken the address over.
func (r registry) release(ip, nodeID, token string) {
	if !r.ownsClaim(ip, token) {
		return
	}
	if reg, err := r.read(ip); err == nil && reg.NodeID == nodeID {
		os.Remove(r.regPath(ip))
	}
	os.Remove(r.claimPath(ip))
}

// scan returns the live registrations by address. For a registration that exists but cannot be read right now,
// the entry in prev (if any, and still live) is kept, so a transient read failure is not reported as a leave.
func (r registry) scan(now time.Time, prev map[string]registration) (map[string]registration, error) {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, fmt.Errorf("loopback: read registry: %w", err)
	}
	out := make(map[string]registration)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		ip := strings.TrimSuffix(name, ".json")
		reg, err := r.read(ip)
		if err != nil {
			if errorReadable(err) {
				continue
			}
			p, ok := prev[ip]
			if !ok {
				continue
			}
			reg = p
		}
		if reg.live(now) {
			out[ip] = reg
		}
	}
	return out, nil
}

// removeLeftovers deletes temporary files that a process left by dying between create and rename.
func (r registry) removeLeftovers(now time.Time) {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") || !strings.Contains(e.Name(), ".tmp-") {
			continue
		}
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > leftoverAfter {
			os.Remove(filepath.Join(r.dir, e.Name()))
		}
	}
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

const nodeIDFile = "loopback-node-id"

// loadNodeID returns the node ID persisted in stateDir, creating it once. Without a state directory the ID is
// new on every start.
func loadNodeID(stateDir string) (string, error) {
	if stateDir == "" {
		id, err := randomHex(8)
		return "n" + id, err
	}
	path := filepath.Join(stateDir, nodeIDFile)
	data, err := os.ReadFile(path)
	if err == nil {
		if id := strings.TrimSpace(string(data)); id != "" {
			return id, nil
		}
	} else if !os.IsNotExist(err) {
		return "", fmt.Errorf("loopback: read node id: %w", err)
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return "", fmt.Errorf("loopback: state dir: %w", err)
	}
	id, err := randomHex(8)
	if err != nil {
		return "", err
	}
	id = "n" + id
	f, err := os.CreateTemp(stateDir, "."+nodeIDFile+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("loopback: write node id: %w", err)
	}
	_, werr := f.WriteString(id + "\n")
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("loopback: write node id: %w", werr)
	}
	return id, nil
}
