#!/usr/bin/env bash
# The quick loop behind `make check`: gofmt, go vet for this machine, and
# every test that needs no service. Tests that need PostgreSQL, PulseAudio,
# a keyring or a display skip here (testenv.Require); `make test` runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
unset PHONESET_REQUIRE_SERVICES PHONESET_TEST_DISPLAY PHONESET_TEST_PG_DSN PHONESET_TEST_PULSE PHONESET_TEST_KEYRING
scripts/gofmt-check.sh
go vet ./...
go test -short ./...
