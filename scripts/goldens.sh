#!/usr/bin/env bash
# Regenerates the golden files of the UI tests. When a page renders other
# than its golden, Fyne's test package writes what it rendered to
# testdata/failed/<name> beside the golden; this runs the tests (arguments go
# to `go test`, default ./ui/...) and moves those files over the goldens.
# Look at `git diff` before committing: a golden changes only on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
[ $# -gt 0 ] || set -- ./ui/...
find . -path '*/testdata/failed' -type d -prune -exec rm -rf {} +
go test -count=1 "$@" || true
n=0
while IFS= read -r -d '' f; do
  dst=${f/\/testdata\/failed\//\/testdata\/}
  mkdir -p "$(dirname "$dst")"
  mv "$f" "$dst"
  echo "goldens: updated $dst"
  n=$((n + 1))
done < <(find . -path '*/testdata/failed/*' -type f -print0)
find . -path '*/testdata/failed' -type d -prune -exec rm -rf {} +
echo "goldens: $n updated; now run the tests again and read git diff"
