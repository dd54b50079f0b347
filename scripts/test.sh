#!/usr/bin/env bash
# The full test run behind `make test`: starts Xvfb, PostgreSQL, PulseAudio,
# a session bus with an unlocked keyring and Wine (scripts/services.sh), then runs
# every check in order. A failing step does not stop the later ones, so one
# run reports everything; the exit status is non-zero if any step failed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

# shellcheck source=scripts/services.sh
. scripts/services.sh

summary=()
failed=0

# cpu_seconds sets cpu to the user+sys CPU seconds of all finished children.
# Beside wall time it shows what a step costs when other work shares the
# cores. `times` must run in this shell, not in a $(...) subshell.
cpu_seconds() {
  times >"$SVC_TMP/times"
  cpu=$(awk 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/)
    printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2]
  }' "$SVC_TMP/times")
}

# record NAME RESULT WALL CPU
record() { summary+=("$(printf '%-16s %-4s %6ds %6ds' "$1" "$2" "$3" "$4")"); }

# step NAME CMD...: runs CMD, timing it and recording the outcome. CMD runs
# in an if, where errexit is off: it must report failure by its exit status.
step() {
  local name=$1 start=$SECONDS cpu cpu0 status=ok
  cpu_seconds
  cpu0=$cpu
  shift
  echo "==> $name"
  if ! "$@"; then
    status=FAIL
    failed=$((failed + 1))
  fi
  cpu_seconds
  record "$name" "$status" $((SECONDS - start)) $((cpu - cpu0))
  echo "==> $name: $status ($((SECONDS - start))s)"
}

print_summary() {
  echo
  echo "step             res     wall     cpu"
  printf '%s\n' "${summary[@]}"
}


# builds runs the Linux and the Windows build at once: each spends minutes
# in single-threaded C compiles (GLFW, miniaudio), so together they keep both
# cores busy. Both come before go test: the e2e tests start bin/phoneset and,
# under Wine, bin/phoneset.exe.
builds() {
  local log="$SVC_TMP/build-windows.log" wstatus=0 lstatus=0 wpid t0=$SECONDS
  # && keeps make's status: errexit is off inside step's if.
  make --no-print-directory build-windows >"$log" 2>&1 &&
    echo "build-windows took $((SECONDS - t0))s" >>"$log" &
  wpid=$!
  make --no-print-directory build || lstatus=$?
  echo "build took $((SECONDS - t0))s"
  wait "$wpid" || wstatus=$?
  echo "--- build-windows:"
  cat "$log"
  [ $lstatus -eq 0 ] || echo "build FAILED"
  [ $wstatus -eq 0 ] || echo "build-windows FAILED"
  [ $lstatus -eq 0 ] && [ $wstatus -eq 0 ]
}

go_test() {
  go test -count=1 ./...
}

# go_test_wine runs the tests of the packages with Windows-only code (lock,
# registry) as Windows programs under Wine: no cgo, so they build in seconds.
go_test_wine() {
  GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -count=1 -exec wine ./internal/single ./internal/autostart ./internal/away
}

start=$SECONDS
svc_init
# Not a step: a service that does not start ends the run (svc_die), Wine too.
export PHONESET_REQUIRE_SERVICES=1
echo "==> services"
svc_start_all
cpu_seconds
record services ok $((SECONDS - start)) "$cpu"
export PHONESET_BIN_DIR="$PWD/bin"

step gofmt scripts/gofmt-check.sh
step vet-linux scripts/vet.sh linux
step vet-darwin scripts/vet.sh darwin
step build+build-win builds
step go-test go_test
step go-test-wine go_test_wine
step vulncheck scripts/vulncheck.sh
step fuzz scripts/fuzz.sh 3s
# After the build, whose compiled packages (MinGW cgo included) it reuses.
step vet-windows scripts/vet.sh windows

cpu_seconds
record total "$([ $failed -eq 0 ] && echo ok || echo FAIL)" $((SECONDS - start)) "$cpu"
print_summary
[ $failed -eq 0 ]
