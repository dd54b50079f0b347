#!/usr/bin/env bash
# The full test run behind `make test`: starts Xvfb, PostgreSQL, PulseAudio
# and a session bus with an unlocked keyring (scripts/services.sh), then runs
# every check in order. A failing step does not stop the later ones, so one
# run reports everything; the exit status is non-zero if any step failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
tags=migrated_fynedo

# shellcheck source=scripts/services.sh
. scripts/services.sh

summary=()
failed=0

# cpu_seconds prints the user+sys CPU time of all finished children so far.
# Beside wall time it shows what a step costs when other work shares the cores.
cpu_seconds() {
  times | awk 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/)
    printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2]
  }'
}

# record NAME RESULT WALL CPU
record() { summary+=("$(printf '%-16s %-4s %6ds %6ds' "$1" "$2" "$3" "$4")"); }

# step NAME CMD...: runs CMD, timing it and recording the outcome. CMD runs
# in an if, where errexit is off: it must report failure by its exit status.
step() {
  local name=$1 start=$SECONDS cpu status=ok
  cpu=$(cpu_seconds)
  shift
  echo "==> $name"
  if ! "$@"; then
    status=FAIL
    failed=$((failed + 1))
  fi
  record "$name" "$status" $((SECONDS - start)) $(($(cpu_seconds) - cpu))
  echo "==> $name: $status ($((SECONDS - start))s)"
}

print_summary() {
  echo
  echo "step             res     wall     cpu"
  printf '%s\n' "${summary[@]}"
}

have_cmds() { compgen -G 'cmd/*/*.go' >/dev/null; }

build_linux() {
  if ! have_cmds; then
    echo "no cmd/* packages yet"
    return 0
  fi
  make --no-print-directory build
}

build_windows() {
  if ! have_cmds; then
    echo "no cmd/* packages yet"
    return 0
  fi
  make --no-print-directory build-windows
}

go_test() {
  go test -tags "$tags" -count=1 ./...
}

start=$SECONDS
svc_init
# Not a step: a service that does not start ends the run (svc_die).
echo "==> services"
svc_start_all
record services ok $((SECONDS - start)) "$(cpu_seconds)"
export PHONESET_REQUIRE_SERVICES=1
export PHONESET_BIN_DIR="$PWD/bin"

step gofmt scripts/gofmt-check.sh
step vet-linux scripts/vet.sh linux
step vet-darwin scripts/vet.sh darwin
step vet-windows scripts/vet.sh windows
step build build_linux
step go-test go_test
step fuzz scripts/fuzz.sh 5s
step build-windows build_windows

record total "$([ $failed -eq 0 ] && echo ok || echo FAIL)" $((SECONDS - start)) "$(cpu_seconds)"
print_summary
[ $failed -eq 0 ]
