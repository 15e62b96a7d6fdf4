#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder (docs/security.md, "Fuzzing") with SharpFuzz and afl-fuzz.
#
#   ./scripts/fuzz.sh [--time SECONDS] [--out DIR] [--no-build] [TARGET...]
#       builds tests/Truffle.Fuzz, instruments a copy of Truffle.dll and MessagePack.dll with SharpFuzz, then for each
#       target (default: all) replays its committed corpus and runs afl-fuzz on it for SECONDS (default 5). Findings
#       go to DIR/<target>/ (default: a temporary folder, deleted unless something failed).
#   ./scripts/fuzz.sh --replay [--out DIR] [--no-build] [TARGET...]
#       no afl: runs the committed corpus (tests/Truffle.Fuzz/corpus/<target>/) and, with --out, the crash and hang
#       files of an earlier run through the uninstrumented build. Fast and deterministic.
#
# Prints one line per target, `fuzz: <target> passed` or `fuzz: <target> failed: <why>` (scripts/test.sh counts
# them), and after an afl run `fuzz: <target> stats: ...` with the executions, paths (corpus entries), crashes and
# hangs. Exits non-zero when any target failed. A crash's input is printed in base64; to keep it as a regression,
# copy the file into tests/Truffle.Fuzz/corpus/<target>/ once the decoder is fixed.
#
# Needs the .NET SDK, and for an afl run afl-fuzz (Debian's afl++, installed with apt-get when missing and root).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=5
out=""
replay=0
build=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --replay) replay=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDTERMINALLOGGER=off
project=tests/Truffle.Fuzz
corpus=$project/corpus
bin=$project/bin/Release/net10.0

if [ "$build" -eq 1 ]; then
  dotnet build "$project" -c Release </dev/null >/dev/null || { dotnet build "$project" -c Release </dev/null; exit 1; }
fi
driver() { dotnet "$1/Truffle.Fuzz.dll" "${@:2}"; }
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <(driver "$bin" list); fi

failed=0
pass() { echo "fuzz: $1 passed"; }
fail() { echo "fuzz: $1 failed: $2"; failed=$((failed + 1)); }

# ---------------------------------------------------------------------------------------------------------- replay
replay_target() {
  local target=$1 inputs=("$corpus/$1")
  if [ -n "$out" ]; then
    for d in "$out/$target/default/crashes" "$out/$target/default/hangs"; do
      if [ -d "$d" ] && [ -n "$(ls -A "$d")" ]; then inputs+=("$d"); fi
    done
  fi
  driver "$bin" replay "$target" "${inputs[@]}"
}

if [ "$replay" -eq 1 ]; then
  for target in "${targets[@]}"; do
    if replay_target "$target"; then pass "$target"; else fail "$target" "an input crashed the decoder (see CRASH above)"; fi
  done
  [ "$failed" -eq 0 ]
  exit
fi

# ------------------------------------------------------------------------------------------------------------- afl
if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing afl++ with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null || true
  fi
  command -v afl-fuzz >/dev/null 2>&1 || { echo "fuzz.sh: afl-fuzz is not installed (apt-get install afl++)" >&2; exit 1; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/truffle-fuzz.XXXXXX")
keep=0
if [ -z "$out" ]; then out="$work/findings"; fi
cleanup() { if [ "$keep" -eq 0 ]; then rm -rf "$work"; else echo "fuzz.sh: findings kept in $out"; fi; }
trap cleanup EXIT

# SharpFuzz rewrites the IL of the assemblies whose branches afl should see: Truffle's decoders and the MessagePack
# reader and formatters under them. A copy is instrumented, so the normal build stays untouched.
app="$work/app"
cp -r "$bin" "$app"
dotnet tool restore </dev/null >/dev/null
for assembly in Truffle.dll MessagePack.dll; do
  dotnet tool run sharpfuzz "$app/$assembly" </dev/null >/dev/null || { echo "fuzz.sh: sharpfuzz could not instrument $assembly" >&2; exit 1; }
done

# dotnet is not an afl-instrumented binary (SharpFuzz speaks the fork-server protocol from managed code); the machine
# may pipe core dumps elsewhere; the UI is for terminals. The heap limit turns runaway allocation into a crash.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export DOTNET_GCHeapHardLimit=0x40000000

stat() { sed -nE "s/^$1[[:space:]]*: ([0-9.]+).*/\1/p" "$2"; }

for target in "${targets[@]}"; do
  if ! replay_target "$target"; then fail "$target" "the committed corpus crashes the decoder"; keep=1; continue; fi
  mkdir -p "$out"
  log="$out/$target.log"
  rc=0
  # -V: stop after that many seconds; -t: a single input taking over 10 s is a hang.
  timeout --kill-after=30s $((seconds + 120)) \
    afl-fuzz -V "$seconds" -t 10000 -m none -i "$corpus/$target" -o "$out/$target" \
      -- dotnet "$app/Truffle.Fuzz.dll" fuzz "$target" </dev/null >"$log" 2>&1 || rc=$?
  stats="$out/$target/default/fuzzer_stats"
  if [ "$rc" -ne 0 ] || [ ! -f "$stats" ]; then
    tail -n 20 "$log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' >&2
    fail "$target" "afl-fuzz exited $rc"; keep=1; continue
  fi
  crashes=$(stat saved_crashes "$stats") hangs=$(stat saved_hangs "$stats")
  echo "fuzz: $target stats: $(stat execs_done "$stats") executions, $(stat corpus_count "$stats") paths," \
    "$crashes crashes, $hangs hangs, $(stat execs_per_sec "$stats") exec/s, $(stat run_time "$stats") s"
  if [ "$crashes" -ne 0 ] || [ "$hangs" -ne 0 ]; then
    for f in "$out/$target"/default/crashes/id* "$out/$target"/default/hangs/id*; do
      [ -f "$f" ] || continue
      echo "  input $f (base64): $(head -c 4096 "$f" | base64 -w0)"
    done
    replay_target "$target" || true
    fail "$target" "$crashes crash(es), $hangs hang(s)"; keep=1; continue
  fi
  pass "$target"
done

[ "$failed" -eq 0 ]
