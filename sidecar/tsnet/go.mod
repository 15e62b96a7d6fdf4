module github.com/truffle-dotnet/truffle/sidecar/tsnet

// tailscale.com v1.102.3 declares go 1.26.6, so that is the floor here; no toolchain line.
go 1.26.6

require (
	github.com/truffle-dotnet/truffle/sidecar v0.0.0
	tailscale.com v1.102.3
)

replace github.com/truffle-dotnet/truffle/sidecar => ../
