#!/usr/bin/env bash
# Runs every Go fuzz target in the repository for a fixed time each.
#   scripts/fuzz.sh [fuzztime]      default 5s; make fuzz uses 60s
# Each package's instrumented test binary is built once (go test -c -fuzz)
# and run per target, the way `go test -fuzz` runs it; this saves a link per
# target. A crash leaves its input under the package's testdata/fuzz/, where
# the next plain `go test` replays it as a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
fuzztime=${1:-5s}
cachedir="$(go env GOCACHE)/fuzz"

# "dir<TAB>FuzzName" for each `func FuzzX(f *testing.F)` in a test file.
mapfile -t targets < <(
  grep -rEo --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata --exclude-dir=bin \
    '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\)' . |
    sed -E 's|^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*|\1\t\2|; s|^\./[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*|.\t\1|' |
    sort -u
)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets found"
  exit 0
fi

bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT

# fuzz_one DIR NAME runs one target. Go 1.26's fuzz coordinator can end a
# clean run with a bare "context deadline exceeded" when a worker is still
# busy at the deadline (go.dev/issue/75804, fixed in Go 1.27), more often
# on a loaded machine. Such a run wrote no failing input and is run once
# more; a real finding says "Failing input written" and is never retried.
fuzz_one() {
  local dir=$1 name=$2 out="$bindir/out"
  for _ in 1 2; do
    if (cd "$dir" && "$bin" -test.run '^$' -test.fuzz "^${name}\$" -test.fuzztime "$fuzztime" \
      -test.timeout 30m -test.fuzzcachedir "$cachedir/$importpath") 2>&1 | tee "$out"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
      return 0
    fi
    grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out" || return 1
    echo "fuzz: $name: the coordinator's deadline race (go.dev/issue/75804), no failing input; once more"
  done
  return 1
}

failed=()
built_dir="" bin="" importpath=""
for t in "${targets[@]}"; do
  dir=${t%%$'\t'*}
  name=${t#*$'\t'}
  start=$SECONDS
  if [ "$dir" != "$built_dir" ]; then
    built_dir=$dir
    bin="$bindir/$(tr / _ <<<"$dir").test"
    if ! importpath=$(go list "./$dir") ||
      ! go test -c -fuzz . -o "$bin" "./$dir"; then
      rm -f "$bin"
    fi
    echo "fuzz: built $dir ($((SECONDS - start))s)"
    start=$SECONDS
  fi
  if [ -x "$bin" ] && fuzz_one "$dir" "$name"; then
    echo "fuzz: ok   $dir $name ($((SECONDS - start))s)"
  else
    echo "fuzz: FAIL $dir $name ($((SECONDS - start))s)"
    failed+=("$dir:$name")
  fi
done
echo "fuzz: ${#targets[@]} targets, ${#failed[@]} failed"
if [ ${#failed[@]} -ne 0 ]; then
  printf 'fuzz: failed %s\n' "${failed[@]}"
  exit 1
fi
