#!/usr/bin/env bash
# The test command (README, quick start): builds the solution once and runs every check of the repository.
#
#   ./scripts/test.sh            from any directory; CI runs it through .ci/run with CI=true
#
# Checks, each counted in the totals:
#   1. every test project of Truffle.sln (IsTestProject=true; BenchmarkDotNet apps are not test projects):
#      the VSTest summary lines ("Passed!  - Failed: 0, Passed: 12, ...") are summed. Among them the package tests
#      (tests/Truffle.Packaging.Tests): they run scripts/pack.sh once into a temporary feed, then build, publish
#      (Native AOT, framework-dependent, single-file) and run apps outside the repository that reference only the
#      packages, restored from that feed and nuget.org into a packages folder of their own;
#   2. the Native AOT check: samples/Chat publishes with PublishAot=true with no warning (except the one documented
#      in docs/aot.md, inside MessagePack 2.5), and the native
#      binary runs and exits 0 (one check);
#   3. every decoder's SharpFuzz target (tests/Truffle.Fuzz) under afl-fuzz for a few seconds through
#      scripts/fuzz.sh (one check each; afl++ is installed with apt-get when missing);
#   4. the Go sidecar, when sidecar/go.mod exists: `go test -v ./...`, counting `--- PASS` / `--- FAIL` lines, then
#      each fuzz target for a few seconds (one check each).
#
# The last line is always `tests: N passed, N failed`. The script exits non-zero when anything failed or when
# nothing ran. Failures that leave no count behind are still counted, as one failure each: a build that fails
# (the .NET tests and the AOT check are then skipped), a test host that crashes or a `dotnet test` / `go test`
# that exits non-zero without a failing test in its output, a check that times out.
#
# Prerequisites are installed on demand with apt-get (quietly, `apt-get update` at most once): clang and
# zlib1g-dev for Native AOT, golang-go for the sidecar, afl++ for the fuzz targets. Needs the .NET 10 SDK on PATH.
#
# Environment: TRUFFLE_TEST_TIMEOUT (per test project / go test run, default 10m; any `timeout` duration);
# TRUFFLE_FUZZ_SECONDS (afl-fuzz time per .NET fuzz target, default 5);
# TRUFFLE_PACKAGE_TEST_TIMEOUT (the package tests, which pack and publish whole apps, default 25m).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1 MSBUILDTERMINALLOGGER=off
export DEBIAN_FRONTEND=noninteractive
if [ "${CI:-}" = true ]; then export MSBUILDDISABLENODEREUSE=1; fi
test_timeout=${TRUFFLE_TEST_TIMEOUT:-10m}
package_test_timeout=${TRUFFLE_PACKAGE_TEST_TIMEOUT:-25m}

passed=0
failed=0
problems=()   # one line per failed check, repeated before the totals

work=$(mktemp -d "${TMPDIR:-/tmp}/truffle-test.XXXXXX")
finished=0
cleanup() {
  # Whatever stopped the script (an unexpected error, a signal), the last line is still the totals.
  if [ "$finished" -eq 0 ]; then
    echo "test.sh stopped before the end: counted as one more failure" >&2
    echo "tests: $passed passed, $((failed + 1)) failed"
  fi
  rm -rf "$work"
  # In CI leave no compiler server or MSBuild node running after the job.
  if [ "${CI:-}" = true ]; then dotnet build-server shutdown >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

section() { printf '\n==> %s\n' "$*"; }
fail_check() { failed=$((failed + 1)); problems+=("$1"); printf 'FAILED: %s\n' "$1" >&2; }

# Runs a command with stdout+stderr streamed and also written to a log. Returns the command's exit code.
run_logged() {
  local log=$1; shift
  "$@" </dev/null 2>&1 | tee "$log"
}

# ---------------------------------------------------------------------------------------------------- prerequisites
apt_updated=0
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      echo "warning: need root or sudo to install: $*" >&2; return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "warning: no apt-get; install these yourself: $*" >&2; return 1
  fi
  echo "installing with apt-get: $*"
  local log="$work/apt.log"
  if [ "$apt_updated" -eq 0 ]; then
    "${sudo[@]}" apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; echo "warning: apt-get update failed" >&2; return 1; }
    apt_updated=1
  fi
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >"$log" 2>&1 ||
    { cat "$log" >&2; echo "warning: apt-get install $* failed" >&2; return 1; }
}

deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

ensure_prerequisites() {
  local missing=()
  if [ -f samples/Chat/Chat.csproj ]; then
    command -v clang >/dev/null 2>&1 || missing+=(clang)
    if command -v dpkg-query >/dev/null 2>&1 && ! deb_installed zlib1g-dev; then missing+=(zlib1g-dev); fi
  fi
  if [ -f sidecar/go.mod ] && ! command -v go >/dev/null 2>&1; then missing+=(golang-go); fi
  if [ -x scripts/fuzz.sh ] && ! command -v afl-fuzz >/dev/null 2>&1; then missing+=(afl++); fi
  # A failed install is not fatal here: the check that needed it fails and says why.
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}" || true; fi
}

# ------------------------------------------------------------------------------------------------------------ .NET
dotnet_build() {
  section "dotnet build Truffle.sln -c Release"
  if ! dotnet build Truffle.sln -c Release </dev/null; then
    fail_check "dotnet build Truffle.sln failed (the .NET tests and the AOT check did not run)"
    return 1
  fi
}

# Tests with the trait Category=Scale (the simulated meshes of 100 to 1,000 devices, docs/scale.md) are
# measurements that take minutes: they are run by hand, never here.
# Test projects are the solution's projects with IsTestProject=true (set by Microsoft.NET.Test.Sdk), so a
# BenchmarkDotNet console app such as tests/Truffle.Benchmarks is never handed to `dotnet test`.
is_test_project() {
  local value
  value=$(dotnet msbuild "$1" -getProperty:IsTestProject </dev/null) ||
    { fail_check "cannot evaluate $1 (dotnet msbuild -getProperty failed)"; return 1; }
  [ "$value" = true ]
}

dotnet_tests() {
  local listing all projects=() p log limit rc n_passed n_failed line lines
  listing=$(dotnet sln Truffle.sln list </dev/null) || { fail_check "dotnet sln Truffle.sln list failed"; return 0; }
  mapfile -t all < <(grep -E '\.csproj$' <<<"$listing" | sort)
  for p in "${all[@]}"; do
    if is_test_project "$p"; then projects+=("$p"); fi
  done
  # A test project left out of the solution would be neither built nor run: say so loudly.
  for p in tests/*/*.csproj; do
    [ -f "$p" ] || continue
    if ! printf '%s\n' "${projects[@]}" | grep -qxF "$p" && is_test_project "$p"; then
      fail_check "$p is a test project but not in Truffle.sln (dotnet sln add $p)"
    fi
  done

  for p in "${projects[@]}"; do
    section "dotnet test $p"
    log="$work/$(basename "$p" .csproj).log"
    limit=$test_timeout
    if [ "$p" = tests/Truffle.Packaging.Tests/Truffle.Packaging.Tests.csproj ]; then limit=$package_test_timeout; fi
    rc=0
    run_logged "$log" timeout --kill-after=30s "$limit" \
      dotnet test "$p" -c Release --no-build --filter "Category!=Scale" || rc=$?
    n_passed=0 n_failed=0
    # VSTest prints one summary per test assembly (and target framework):
    #   Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: 1 s - x.dll (net10.0)
    lines=$(sed 's/\x1b\[[0-9;]*m//g' "$log" |
      grep -E '^[[:space:]]*(Passed|Failed)![[:space:]]+-[[:space:]]+Failed:[[:space:]]*[0-9]+,[[:space:]]*Passed:[[:space:]]*[0-9]+' || true)
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      n_failed=$((n_failed + $(sed -E 's/.*Failed:[[:space:]]*([0-9]+),.*/\1/' <<<"$line")))
      n_passed=$((n_passed + $(sed -E 's/.*Passed:[[:space:]]*([0-9]+),.*/\1/' <<<"$line")))
    done <<<"$lines"
    passed=$((passed + n_passed))
    failed=$((failed + n_failed))
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      fail_check "$p: dotnet test timed out after $limit"
    elif [ "$rc" -ne 0 ] && [ "$n_failed" -eq 0 ]; then
      fail_check "$p: dotnet test exited $rc without a failed test in its summary (crashed test host or run error)"
    elif [ "$n_failed" -gt 0 ]; then
      problems+=("$p: $n_failed failed test(s), see 'Failed <name>' above")
    elif [ -z "$lines" ]; then
      echo "note: $p printed no test summary (no tests?)"
    fi
  done
}

# ------------------------------------------------------------------------------------------------------ Native AOT
aot_check() {
  local proj=samples/Chat/Chat.csproj out="$work/aot" log="$work/aot-publish.log" props aot name warnings rc
  if [ ! -f "$proj" ]; then
    section "Native AOT check: skipped ($proj does not exist yet)"
    return 0
  fi
  section "Native AOT check: dotnet publish samples/Chat -c Release -r linux-x64"

  # PublishAot must come from the project itself: passed as -p:PublishAot=true it would be a global property and
  # reach the netstandard2.0 generator project too, which then fails with NETSDK1207.
  props=$(dotnet msbuild "$proj" -p:Configuration=Release -p:RuntimeIdentifier=linux-x64 \
    -getProperty:PublishAot -getProperty:TargetName </dev/null) ||
    { fail_check "Native AOT: cannot evaluate $proj"; return 0; }
  aot=$(sed -nE 's/.*"PublishAot": *"([^"]*)".*/\1/p' <<<"$props")
  name=$(sed -nE 's/.*"TargetName": *"([^"]*)".*/\1/p' <<<"$props")
  if [ "$aot" != true ]; then
    fail_check "Native AOT: $proj does not set <PublishAot>true</PublishAot>"
    return 0
  fi

  rc=0
  # TrimmerSingleWarn=false itemizes every warning instead of one summary per assembly, so the allowance below can
  # name the exact member; warnings stay warnings here because this check, not the compiler, judges them.
  run_logged "$log" dotnet publish "$proj" -c Release -r linux-x64 -o "$out" \
    -p:TrimmerSingleWarn=false -p:TreatWarningsAsErrors=false || rc=$?
  if [ "$rc" -ne 0 ]; then
    grep -E ':[[:space:]]*error[[:space:]]*[A-Za-z]*[0-9]*[[:space:]]*:' "$log" | sort -u | sed 's/^/    /' >&2 || true
    fail_check "Native AOT: dotnet publish samples/Chat failed (exit $rc)"
    return 0
  fi

  # Zero trim/AOT warnings, and zero warnings of any other kind: any MSBuild-style warning line
  # ("file(1,2): warning IL2026: ...", "ILC : warning : ...") fails the check. Case-sensitive, so the
  # "0 Warning(s)" summary never matches.
  # The one allowance: MessagePack 2.5 is not trim-annotated and its ObjectFallbackEqualityComparer.GetHashCode
  # (object-keyed maps only, never used by Truffle) calls MakeGenericMethod. See docs/aot.md. Anything else fails.
  local allowed='MessagePack\.MessagePackSecurity\.ObjectFallbackEqualityComparer\.GetHashCode'
  warnings=$(grep -E ':[[:space:]]*warning[[:space:]]*[A-Za-z]*[0-9]*[[:space:]]*:|warning IL[0-9]+' "$log" \
    | grep -vE "$allowed" | sort -u || true)
  if [ -n "$warnings" ]; then
    printf 'Native AOT: warnings while publishing samples/Chat:\n' >&2
    sed 's/^/    /' <<<"$warnings" >&2
    fail_check "Native AOT: publishing samples/Chat produced $(wc -l <<<"$warnings") warning line(s), listed above"
    return 0
  fi

  if [ ! -x "$out/$name" ] || [ -f "$out/$name.dll" ]; then
    fail_check "Native AOT: no native binary $out/$name was produced"
    return 0
  fi
  section "running the native binary ($name)"
  rc=0
  timeout --kill-after=10s 120s "$out/$name" </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    fail_check "Native AOT: the published binary exited $rc"
    return 0
  fi
  echo "Native AOT check passed: no warning beyond the documented MessagePack one, binary ran and exited 0"
  passed=$((passed + 1))
}

# -------------------------------------------------------------------------------------------------------------- Go
go_tests() {
  local log="$work/go-test.log" rc n_passed n_failed
  [ -f sidecar/go.mod ] || return 0
  section "go test -v ./... (sidecar/)"
  if ! command -v go >/dev/null 2>&1; then
    fail_check "Go: sidecar/go.mod exists but go is not installed (apt-get install golang-go)"
    return 0
  fi
  rc=0
  (cd sidecar && run_logged "$log" timeout --kill-after=30s "$test_timeout" go test -count=1 -v ./...) || rc=$?
  n_passed=$(grep -cE '^[[:space:]]*--- PASS' "$log" || true)
  n_failed=$(grep -cE '^[[:space:]]*--- FAIL' "$log" || true)
  passed=$((passed + n_passed))
  failed=$((failed + n_failed))
  if [ "$rc" -ne 0 ] && [ "$n_failed" -eq 0 ]; then
    fail_check "Go: go test exited $rc without a failing test (build error or timeout)"
  elif [ "$n_failed" -gt 0 ]; then
    problems+=("Go: $n_failed failed test(s), see '--- FAIL' above")
  fi
}

# Every fuzz target of the sidecar runs briefly on top of its seed corpus (which `go test` already ran): one
# check each. TRUFFLE_FUZZTIME (default 3s) sets how long.
go_fuzz() {
  local fuzztime="${TRUFFLE_FUZZTIME:-3s}" pkg target log
  [ -f sidecar/go.mod ] && command -v go >/dev/null 2>&1 || return 0
  section "go fuzz targets, $fuzztime each (sidecar/)"
  while IFS=: read -r file target; do
    pkg="./$(dirname "${file#sidecar/}")"
    log="$work/fuzz-$target.log"
    if (cd sidecar && run_logged "$log" timeout --kill-after=30s 120s \
          go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"); then
      passed=$((passed + 1))
    else
      fail_check "Go fuzz: $target in $pkg failed (see above; the failing input is under sidecar/$pkg/testdata/fuzz)"
    fi
  done < <(grep -rhoE --include='*_test.go' -H '^func (Fuzz[A-Za-z0-9_]+)' sidecar | sed -E 's/:func /:/')
}

# ------------------------------------------------------------------------------------------------------ .NET fuzzing
# Every decoder's SharpFuzz target under afl-fuzz for a few seconds on top of its committed corpus (which the .NET
# tests already replayed): one check each. TRUFFLE_FUZZ_SECONDS (default 5) sets how long; docs/security.md.
dotnet_fuzz() {
  local log="$work/dotnet-fuzz.log" rc=0 n_passed n_failed
  section "SharpFuzz targets under afl-fuzz, ${TRUFFLE_FUZZ_SECONDS:-5}s each (tests/Truffle.Fuzz)"
  run_logged "$log" timeout --kill-after=30s 600s \
    scripts/fuzz.sh --no-build --time "${TRUFFLE_FUZZ_SECONDS:-5}" || rc=$?
  n_passed=$(grep -cE '^fuzz: [a-z-]+ passed$' "$log" || true)
  n_failed=$(grep -cE '^fuzz: [a-z-]+ failed' "$log" || true)
  passed=$((passed + n_passed))
  failed=$((failed + n_failed))
  if [ "$n_failed" -gt 0 ]; then
    problems+=(".NET fuzz: $n_failed target(s) failed, see 'fuzz: <target> failed' above (scripts/fuzz.sh --replay to reproduce)")
  elif [ "$rc" -ne 0 ]; then
    fail_check ".NET fuzz: scripts/fuzz.sh exited $rc before judging every target (afl-fuzz or sharpfuzz missing?)"
  fi
}

# ------------------------------------------------------------------------------------------------------------ main
ensure_prerequisites
if dotnet_build; then
  dotnet_tests
  aot_check
  dotnet_fuzz
fi
go_tests
go_fuzz

section "summary"
if [ ${#problems[@]} -gt 0 ]; then printf '  - %s\n' "${problems[@]}"; fi
[ $((passed + failed)) -gt 0 ] || echo "no test ran: that counts as a failure of this command" >&2
finished=1
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ $((passed + failed)) -gt 0 ]
