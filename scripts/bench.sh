#!/usr/bin/env bash
# Benchmarks behind `make bench`: the Go benchmarks of every package, with
# the same services as scripts/test.sh, then each scripts/bench-*.sh (side-by-
# side comparisons with other tools). Extra arguments go to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

# shellcheck source=scripts/services.sh
. scripts/services.sh
svc_init
svc_start_all
export PHONESET_REQUIRE_SERVICES=1
export PHONESET_BIN_DIR="$PWD/bin"

go test -run '^$' -bench . -benchmem "$@" ./...

for s in scripts/bench-*.sh; do
  [ -f "$s" ] || continue
  echo "==> $s"
  bash "$s"
done
