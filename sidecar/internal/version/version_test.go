package version

import (
	"bytes"
	"strings"
	"testing"
)

func TestCommand(t *testing.T) {
	defer func(v string) { Version = v }(Version)
	Version = "1.2.3"
	for _, tc := range []struct {
		args    []string
		code    int
		handled bool
		stdout  string
		stderr  string
	}{
		{args: nil, code: 0, handled: false},
		{args: []string{"--version"}, code: 0, handled: true, stdout: "truffle-sidecar 1.2.3 (protocol 5; backends: loopback)\n"},
		{args: []string{"-v"}, code: 0, handled: true, stdout: "truffle-sidecar 1.2.3 (protocol 5; backends: loopback)\n"},
		{args: []string{"--bogus"}, code: 2, handled: true, stderr: "usage: truffle-sidecar [--version]"},
		{args: []string{"--version", "extra"}, code: 2, handled: true, stderr: "usage: truffle-sidecar [--version]"},
	} {
		var out, errOut bytes.Buffer
		code, handled := Command(tc.args, &out, &errOut, "truffle-sidecar", "loopback")
		if code != tc.code || handled != tc.handled || out.String() != tc.stdout || !strings.HasPrefix(errOut.String(), tc.stderr) {
			t.Errorf("Command(%q) = %d, %v, stdout %q, stderr %q", tc.args, code, handled, out.String(), errOut.String())
		}
	}
}

func TestLineListsEveryBackend(t *testing.T) {
	if got := Line("truffle-sidecar-tsnet", "tsnet", "loopback"); !strings.HasSuffix(got, "(protocol 5; backends: tsnet, loopback)") {
		t.Fatalf("Line = %q", got)
	}
}
