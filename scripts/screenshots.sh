#!/usr/bin/env bash
# Refreshes docs/screenshots (the README's pictures): the end-to-end test
# drives the real app under Xvfb, with PulseAudio's virtual speaker and an
# unlocked keyring, and saves a screenshot of every page; the Windows build
# runs under Wine for the windows-*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

# shellcheck source=scripts/services.sh
. scripts/services.sh
svc_init
svc_start_xvfb
svc_start_pulse
svc_start_keyring
svc_start_wine
export PHONESET_REQUIRE_SERVICES=1
export PHONESET_BIN_DIR="$PWD/bin"
export PHONESET_SCREENSHOT_DIR="$PWD/docs/screenshots"
mkdir -p "$PHONESET_SCREENSHOT_DIR"

make --no-print-directory build
make --no-print-directory build-windows
go test -count=1 -v ./e2e
