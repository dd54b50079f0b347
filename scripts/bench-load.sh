#!/usr/bin/env bash
# Load proof behind `make bench`: 200 concurrent clients for 60 s against a
# real bin/phoneset-server process on loopback, once on SQLite and once on
# a fresh PostgreSQL database, mixing sign-ins, reads, conditional writes
# and avatar uploads (internal/loadtest.DefaultMix). Every acknowledged
# write is read back afterwards; the run fails on any 5xx, request without
# an answer, unexpected 4xx or lost write, and prints one line per database.
#
#   scripts/bench-load.sh
#
# PostgreSQL comes from PHONESET_TEST_PG_DSN (scripts/bench.sh starts a
# cluster); without it only SQLite runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

go build -o bin/ ./cmd/phoneset-server
report=$(mktemp)
trap 'rm -f "$report"' EXIT

status=0
PHONESET_LOAD=1 PHONESET_BIN_DIR="$PWD/bin" PHONESET_LOAD_REPORT="$report" \
	go test -count=1 -timeout 30m -run '^TestLoadFull$' -v ./internal/loadtest || status=$?

echo
echo "bench-load: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) after the run"
cat "$report"
exit $status
