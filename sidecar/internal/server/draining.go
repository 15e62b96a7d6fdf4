package server

import (
	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
	"github.com/truffle-dotnet/truffle/sidecar/internal/lifecycle"
)

// stateDirs holds back a start on a state directory whose previous backend is still releasing it (a
// backend.Drainer whose Stop ran out of time); lifecycle.Dirs does the bookkeeping.
type stateDirs struct {
	lifecycle.Dirs
}

// stopped records dir as held by b when b is a backend.Drainer that has not released it yet; it reports whether it did.
func (d *stateDirs) stopped(dir string, b backend.Backend) bool {
	drainer, ok := b.(backend.Drainer)
	if !ok {
		return false
	}
	return d.Stopped(dir, drainer.Drained())
}
