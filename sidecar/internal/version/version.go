// Package version is the release a sidecar binary was built for and its command line, shared by truffle-sidecar
// and truffle-sidecar-tsnet.
//
// The release is stamped at link time (scripts/pack.sh and the tsnet workflow do this):
//
//	go build -ldflags "-X github.com/truffle-dotnet/truffle/sidecar/internal/version.Version=1.2.3" ./cmd/truffle-sidecar
package version

import (
	"fmt"
	"io"
	"strings"

	"github.com/truffle-dotnet/truffle/sidecar/internal/proto"
)

// Version is the release of the packages this binary ships in; "dev" when the build did not stamp one.
var Version = "dev"

// Line is what --version prints: the binary, its release, the protocol version and the backends built in, so a
// user can tell a loopback-only build from one with Tailscale.
func Line(binary string, backends ...string) string {
	return fmt.Sprintf("%s %s (protocol %d; backends: %s)", binary, Version, proto.ProtocolVersion, strings.Join(backends, ", "))
}

// Command handles a sidecar binary's arguments. The host starts the sidecar with none (it speaks the protocol on
// stdin/stdout); "--version" (or "-version", "-v") prints Line and exits 0; anything else is a usage error, exit 2.
// handled is false when there are no arguments, and the caller then serves the protocol.
func Command(args []string, stdout, stderr io.Writer, binary string, backends ...string) (code int, handled bool) {
	if len(args) == 0 {
		return 0, false
	}
	if len(args) == 1 {
		switch args[0] {
		case "--version", "-version", "-v":
			fmt.Fprintln(stdout, Line(binary, backends...))
			return 0, true
		}
	}
	fmt.Fprintf(stderr, "usage: %s [--version]\n"+
		"Started without arguments it reads control commands on stdin (one JSON object per line) and writes events on stdout;\n"+
		"a Truffle app starts it for you.\n", binary)
	return 2, true
}
