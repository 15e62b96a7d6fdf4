// Package lifecycle holds the parts of a network node's life that do not depend on the network library: a start
// that takes no context, a stop that may outlive its budget without letting a new node onto the same state
// directory, the split of a stop budget between going offline, logging out and closing, and following the login
// URLs the control server issues for the whole life of the node.
//
// The Tailscale backend (sidecar/tsnet, a separate module that needs a newer Go) is a thin adapter over it, so
// these behaviours are tested here, with the parent module.
package lifecycle
