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

# "dir<TAB>FuzzName" for every fuzz target, as the go command lists them:
# `go test -list` prints a package's matching names, then "ok  <path>".
listing=$(go test -list '^Fuzz' ./...)
mapfile -t targets < <(
  awk -v mod="$(go list -m)" '
    /^Fuzz/ { names[n++] = $1; next }
    $1 == "ok" {
      dir = $2 == mod ? "." : substr($2, length(mod) + 2)
      for (i = 0; i < n; i++) print dir "\t" names[i]
      n = 0
    }' <<<"$listing"
)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets found"
  exit 0
fi

bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT

# fuzz_one DIR NAME runs one target from its package directory, as
# `go test -fuzz` does, so a crash lands in that package's testdata/fuzz/.
fuzz_one() {
  (cd "$1" && "$bin" -test.run '^$' -test.fuzz "^${2}\$" -test.fuzztime "$fuzztime" \
    -test.timeout 30m -test.fuzzcachedir "$cachedir/$importpath")
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
