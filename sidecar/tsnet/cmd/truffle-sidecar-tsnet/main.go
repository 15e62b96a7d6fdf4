// Command truffle-sidecar-tsnet is truffle-sidecar with the Tailscale backend: it joins the tailnet for a Truffle
// node and bridges its connections to the .NET host. The host drives it with one JSON command per line on stdin
// and reads events from stdout (SPEC §3); logs go to stderr only.
//
// A tsnet:start with backend "tsnet" or no backend runs a Tailscale node; every other backend ("loopback") is
// the one truffle-sidecar has.
//
// Environment: TRUFFLE_DEBUG (any value) adds tsnet's verbose log to stderr; TS_NO_LOGS_NO_SUPPORT=true stops
// Tailscale client log uploads (read by tailscale.com itself); TS_AUTHKEY is tsnet's fallback when tsnet:start
// has no authKey.
//
// It exits 0 after a clean stop: when stdin ends (the host died or closed it) and on SIGTERM or SIGINT.
// `--version` prints the release it was stamped with (-X .../internal/version.Version=...), the protocol version and
// its backends.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/proto"
	"github.com/truffle-dotnet/truffle/sidecar/internal/server"
	"github.com/truffle-dotnet/truffle/sidecar/internal/version"

	tsnetbackend "github.com/truffle-dotnet/truffle/sidecar/tsnet"
)

func main() {
	if code, handled := version.Command(os.Args[1:], os.Stdout, os.Stderr, "truffle-sidecar-tsnet", "tsnet", "loopback"); handled {
		os.Exit(code)
	}
	logger := log.New(os.Stderr, "truffle-sidecar: ", log.LstdFlags|log.Lmicroseconds)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	newBackend := func(d proto.StartData) (backend.Backend, error) {
		// BackendName is "tsnet" for an absent or empty backend field.
		if d.BackendName() == proto.BackendTsnet {
			return tsnetbackend.New(tsnetbackend.Config{Logger: logger}), nil
		}
		return server.DefaultBackend(d)
	}
	s := server.New(server.Config{In: os.Stdin, Out: os.Stdout, Logger: logger, NewBackend: newBackend})
	if err := s.Run(ctx); err != nil {
		logger.Printf("fatal: %v", err)
		stop()
		os.Exit(1)
	}
}
