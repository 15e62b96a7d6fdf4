#!/usr/bin/env bash
# The main job (README, quick start): the local mesh demo of samples/Chat. Three nodes, each with its own
# truffle-sidecar, join a loopback network, elect a primary, chat through it, and fail over when it stops; the demo
# exits by itself. Needs the .NET 10 SDK on PATH; installs Debian's golang-go (to build the sidecar) if Go is
# missing. Extra arguments go to the sample (--in-process runs it without a network).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v go >/dev/null 2>&1; then
  sudo=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=(sudo); fi
  echo "installing golang-go with apt-get (the sidecar is written in Go)"
  if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends golang-go; } >/tmp/truffle-demo-apt.log 2>&1; then
    cat /tmp/truffle-demo-apt.log >&2
    echo "could not install golang-go; install Go and run this again" >&2
    exit 1
  fi
fi

exec dotnet run --project samples/Chat -c Release -- "$@"
