#!/usr/bin/env bash
# go vet for the host and, without cgo, for the other desktop platforms.
#   scripts/vet.sh [GOOS...]     default: linux darwin windows
# linux vets everything. darwin and windows vet only the packages that must
# build without cgo (everything but the Fyne UI, audio and the commands), so
# platform-specific files are checked without a cross C toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
tags=migrated_fynedo
nocgo_dirs=(api account server photo internal)

[ $# -gt 0 ] || set -- linux darwin windows
for goos in "$@"; do
  if [ "$goos" = "$(go env GOHOSTOS)" ]; then
    echo "vet: $goos ./..."
    go vet -tags "$tags" ./...
    continue
  fi
  pkgs=()
  for d in "${nocgo_dirs[@]}"; do
    [ -d "$d" ] && pkgs+=("./$d/...")
  done
  if [ ${#pkgs[@]} -eq 0 ]; then
    echo "vet: $goos: no cgo-free packages yet"
    continue
  fi
  echo "vet: $goos CGO_ENABLED=0 ${pkgs[*]}"
  CGO_ENABLED=0 GOOS="$goos" GOARCH=amd64 go vet -tags "$tags" "${pkgs[@]}"
done
