#!/usr/bin/env bash
# Packs every Truffle package into artifacts/packages/ (docs/packaging.md):
#
#   ./scripts/pack.sh                          loopback sidecars, cross-compiled here with the Go on PATH
#   ./scripts/pack.sh --sidecar-dir DIR        Tailscale sidecars built elsewhere (DIR/{rid}/truffle-sidecar[.exe],
#                                              e.g. by .github/workflows/sidecar-tsnet.yml), packed instead
#   ./scripts/pack.sh --output DIR             another output folder (its *.nupkg and *.snupkg are replaced)
#   ./scripts/pack.sh --version 1.2.3-ci.4     another version than Directory.Build.props's <Version>
#
# Packed: every project of Truffle.sln with IsPackable=true (Truffle, Truffle.Sidecar, Truffle.Hosting, Truffle.Cli,
# the `truffle` tool, which carries the same sidecars under runtimes/{rid}/native/, and Truffle.Templates), all with one version: Directory.Build.props's <Version> unless --version
# says otherwise. The sidecars are cross-compiled with CGO_ENABLED=0 for every runtime identifier that
# src/Truffle.Sidecar/Truffle.Sidecar.csproj lists, each stamped with the version (`truffle-sidecar --version`).
# Go (Debian's golang-go) is installed with apt-get when it is missing and needed. Needs the .NET 10 SDK.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1 MSBUILDTERMINALLOGGER=off

output=artifacts/packages
sidecar_dir=
version=
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output=${2:?--output needs a folder}; shift 2 ;;
    --sidecar-dir) sidecar_dir=${2:?--sidecar-dir needs a folder}; shift 2 ;;
    --version) version=${2:?--version needs a version}; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pack.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$output"
output=$(cd "$output" && pwd)
if [ -n "$sidecar_dir" ]; then sidecar_dir=$(cd "$sidecar_dir" && pwd); fi

sidecar_project=src/Truffle.Sidecar/Truffle.Sidecar.csproj
props=$(dotnet msbuild "$sidecar_project" -getProperty:Version -getProperty:TruffleSidecarRuntimeIdentifiers </dev/null)
[ -n "$version" ] || version=$(sed -nE 's/.*"Version": *"([^"]*)".*/\1/p' <<<"$props")
IFS=';' read -r -a rids <<<"$(sed -nE 's/.*"TruffleSidecarRuntimeIdentifiers": *"([^"]*)".*/\1/p' <<<"$props")"
[ -n "$version" ] && [ ${#rids[@]} -gt 0 ] || { echo "pack.sh: cannot read Version and the runtime identifiers from $sidecar_project" >&2; exit 1; }
echo "==> Truffle packages $version into $output"

staging=$(mktemp -d "${TMPDIR:-/tmp}/truffle-pack.XXXXXX")
trap 'rm -rf "$staging"' EXIT

file_name() { case "$1" in win-*) echo truffle-sidecar.exe ;; *) echo truffle-sidecar ;; esac; }

go_target() {
  local os arch
  case "$1" in linux-*) os=linux ;; osx-*) os=darwin ;; win-*) os=windows ;; *) return 1 ;; esac
  case "$1" in *-x64) arch=amd64 ;; *-arm64) arch=arm64 ;; *) return 1 ;; esac
  echo "$os $arch"
}

ensure_go() {
  command -v go >/dev/null 2>&1 && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=(sudo); fi
  echo "installing golang-go with apt-get (the sidecar is written in Go)"
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends golang-go; } >"$staging/apt.log" 2>&1; then
    cat "$staging/apt.log" >&2
    echo "pack.sh: could not install golang-go; install Go, or pass --sidecar-dir" >&2
    exit 1
  fi
}

if [ -n "$sidecar_dir" ]; then
  echo "==> sidecars from $sidecar_dir"
  for rid in "${rids[@]}"; do
    name=$(file_name "$rid")
    [ -f "$sidecar_dir/$rid/$name" ] || { echo "pack.sh: $sidecar_dir/$rid/$name is missing (one binary per runtime: ${rids[*]})" >&2; exit 1; }
    mkdir -p "$staging/$rid"
    cp "$sidecar_dir/$rid/$name" "$staging/$rid/$name"
  done
else
  ensure_go
  echo "==> cross-compiling the loopback sidecar ($(go version | cut -d' ' -f3)) for ${rids[*]}"
  for rid in "${rids[@]}"; do
    target=$(go_target "$rid") || { echo "pack.sh: no Go target for $rid" >&2; exit 1; }
    read -r goos goarch <<<"$target"
    (cd sidecar && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath \
      -ldflags "-s -w -X github.com/truffle-dotnet/truffle/sidecar/internal/version.Version=$version" \
      -o "$staging/$rid/$(file_name "$rid")" ./cmd/truffle-sidecar)
  done
fi
for rid in "${rids[@]}"; do chmod 755 "$staging/$rid/$(file_name "$rid")"; done

# The binary this machine can run must be the version being packed (a folder of Tailscale builds stamped with
# another version is refused rather than shipped under a wrong label).
host_rid=
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host_rid=linux-x64 ;; Linux-aarch64) host_rid=linux-arm64 ;;
  Darwin-x86_64) host_rid=osx-x64 ;; Darwin-arm64) host_rid=osx-arm64 ;;
esac
if [ -n "$host_rid" ] && [ -f "$staging/$host_rid/truffle-sidecar" ]; then
  line=$("$staging/$host_rid/truffle-sidecar" --version) || { echo "pack.sh: $host_rid/truffle-sidecar --version failed" >&2; exit 1; }
  echo "    $host_rid: $line"
  case "$line" in
    "truffle-sidecar $version "*|"truffle-sidecar-tsnet $version "*) ;;
    *) echo "pack.sh: the $host_rid sidecar reports \"$line\", not version $version" >&2; exit 1 ;;
  esac
fi

echo "==> dotnet pack (every packable project of Truffle.sln)"
rm -f "$output"/*.nupkg "$output"/*.snupkg
dotnet pack Truffle.sln -c Release -o "$output" -p:Version="$version" \
  -p:TruffleSidecarBinaries="$staging/" -p:TruffleBuildSidecar=false </dev/null

echo "==> packed:"
(cd "$output" && ls -1 -- *.nupkg *.snupkg 2>/dev/null | sed 's/^/    /')
[ -f "$output/Truffle.$version.nupkg" ] || { echo "pack.sh: Truffle.$version.nupkg was not produced" >&2; exit 1; }
if [ -n "$host_rid" ] && command -v unzip >/dev/null 2>&1 && ! unzip -l "$output/Truffle.Cli.$version.nupkg" | grep -q "runtimes/$host_rid/native/truffle-sidecar"; then
  echo "pack.sh: Truffle.Cli.$version.nupkg lacks the $host_rid sidecar" >&2; exit 1
fi
