#!/usr/bin/env bash
# Fails, listing the files, when any Go file in the repository is not gofmt-clean.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
mapfile -d '' files < <(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -print0)
[ ${#files[@]} -eq 0 ] && exit 0
bad=$("$(go env GOROOT)/bin/gofmt" -l "${files[@]}")
if [ -n "$bad" ]; then
  echo "gofmt: these files need formatting (run gofmt -w):" >&2
  echo "$bad" >&2
  exit 1
fi
