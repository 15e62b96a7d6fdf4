package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

const waitFor = 5 * time.Second

// buildSidecar builds this command into a temporary directory, with extra go build arguments.
func buildSidecar(t *testing.T, args ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "truffle-sidecar")
	out, err := exec.Command("go", append(append([]string{"build", "-o", bin}, args...), ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	events chan map[string]any
	exited chan error
}

func startSidecar(t *testing.T, bin string) *proc {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, stdin: stdin, events: make(chan map[string]any, 64), exited: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e map[string]any
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("stdout line %q is not JSON: %v", sc.Text(), err)
				continue
			}
			p.events <- e
		}
		close(p.events)
		p.exited <- cmd.Wait() // after stdout is drained, as exec requires
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // no-op once it has exited
	})
	return p
}

func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatal(err)
	}
}

func (p *proc) await(name string) map[string]any {
	p.t.Helper()
	timeout := time.After(waitFor)
	for {
		select {
		case e, ok := <-p.events:
			if !ok {
				p.t.Fatalf("stdout closed while waiting for %s", name)
			}
			if e["event"] == name {
				return e
			}
			p.t.Fatalf("want %s, got %v", name, e)
		case <-timeout:
			p.t.Fatalf("no %s within %v", name, waitFor)
		}
	}
}

func (p *proc) expectExit0() {
	p.t.Helper()
	select {
	case err := <-p.exited:
		if err != nil {
			p.t.Fatalf("sidecar exited with %v, want 0", err)
		}
	case <-time.After(waitFor):
		p.t.Fatalf("sidecar did not exit within %v", waitFor)
	}
}

func (p *proc) startLoopback(registry string) {
	p.t.Helper()
	p.send(fmt.Sprintf(`{"command":"tsnet:start","data":{"hostname":"proc","stateDir":%q,"bridgePort":1,`+
		`"sessionToken":"%064x","backend":"loopback","loopbackDir":%q}}`, p.t.TempDir(), 7, registry))
	if e := p.await("tsnet:status"); e["data"].(map[string]any)["state"] != "starting" {
		p.t.Fatalf("first status = %v", e)
	}
	if e := p.await("tsnet:status"); e["data"].(map[string]any)["state"] != "running" {
		p.t.Fatalf("second status = %v", e)
	}
	p.await("tsnet:started")
}

func TestStdinEOFExitsZero(t *testing.T) {
	bin := buildSidecar(t)
	reg := t.TempDir()
	p := startSidecar(t, bin)
	p.startLoopback(reg)
	p.stdin.Close()
	p.await("tsnet:stopped")
	p.expectExit0()
	// A clean stop removed the node's registration.
	if left, _ := filepath.Glob(filepath.Join(reg, "*.json")); len(left) != 0 {
		t.Fatalf("registry still has %v", left)
	}

	t.Run("SIGTERM", func(t *testing.T) {
		p := startSidecar(t, bin)
		p.startLoopback(reg)
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		p.await("tsnet:stopped")
		p.expectExit0()
		if left, _ := filepath.Glob(filepath.Join(reg, "*.json")); len(left) != 0 {
			t.Fatalf("registry still has %v", left)
		}
	})
}

// The release is stamped at link time, as scripts/pack.sh does it, and --version reports it without starting anything.
func TestVersionIsStampedAtLinkTime(t *testing.T) {
	bin := buildSidecar(t, "-ldflags", "-X github.com/truffle-dotnet/truffle/sidecar/internal/version.Version=9.8.7-test")
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("--version: %v", err)
	}
	if want := "truffle-sidecar 9.8.7-test (protocol 5; backends: loopback)\n"; string(out) != want {
		t.Fatalf("--version printed %q, want %q", out, want)
	}
	err = exec.Command(bin, "--bogus").Run()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 {
		t.Fatalf("an unknown argument: %v, want exit code 2", err)
	}
}
