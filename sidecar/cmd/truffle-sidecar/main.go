// Command truffle-sidecar joins the network for a Truffle node and bridges its connections to the .NET host. The
// host drives it with one JSON command per line on stdin and reads events from stdout (SPEC §3); logs go to
// stderr only.
//
// This binary has the loopback backend only; the tsnet backend is built from the sidecar/tsnet module.
//
// It exits 0 after a clean stop: when stdin ends (the host died or closed it) and on SIGTERM or SIGINT.
// `truffle-sidecar --version` prints the release it was built for (stamped by scripts/pack.sh), the protocol version
// and its backends.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/truffle-dotnet/truffle/sidecar/internal/server"
	"github.com/truffle-dotnet/truffle/sidecar/internal/version"
)

func main() {
	if code, handled := version.Command(os.Args[1:], os.Stdout, os.Stderr, "truffle-sidecar", "loopback"); handled {
		os.Exit(code)
	}
	logger := log.New(os.Stderr, "truffle-sidecar: ", log.LstdFlags|log.Lmicroseconds)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	s := server.New(server.Config{In: os.Stdin, Out: os.Stdout, Logger: logger})
	if err := s.Run(ctx); err != nil {
		logger.Printf("fatal: %v", err)
		stop()
		os.Exit(1)
	}
}
