#!/usr/bin/env bash
# go vet for the host and the other desktop platforms.
#   scripts/vet.sh [GOOS...]     default: linux darwin windows
# linux vets everything. windows vets everything too when MinGW-w64 is
# installed (`make build-windows` installs it), with the same settings as
# that build, so after it the vet reuses its compiled packages. Otherwise,
# and for darwin (no cross C toolchain here), it vets with CGO_ENABLED=0
# every package under the backend/model directories whose imports (tests
# included) need no cgo on that platform; packages that pull in Fyne or
# malgo are left to the host vet.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
nocgo_dirs=(api account server photo internal third_party tools)
mingw_cc=x86_64-w64-mingw32-gcc # as WINDOWS_ENV in the Makefile

# cgo_free GOOS PATTERN...: prints the packages matching PATTERN whose
# dependency closure, tests included, has no non-standard cgo package.
cgo_free() {
  local goos=$1
  shift
  local env=(env CGO_ENABLED=1 GOOS="$goos" GOARCH=amd64)
  {
    "${env[@]}" go list -e -test -deps \
      -f '{{if and (not .Standard) .CgoFiles}}cgo {{.ImportPath}}{{end}}' "$@"
    "${env[@]}" go list -e -test -f 'pkg {{.ImportPath}}|{{join .Deps " "}}' "$@"
    "${env[@]}" go list -e -f 'root {{.ImportPath}}' "$@"
  } | awk '
    $1 == "cgo" { cgo[$2] = 1; next }
    $1 == "pkg" {
      sub(/^pkg /, "")
      split($0, f, "|")
      base = f[1]
      sub(/ \[.*$/, "", base); sub(/\.test$/, "", base); sub(/_test$/, "", base)
      if (f[1] in cgo) bad[base] = 1
      n = split(f[2], deps, " ")
      for (i = 1; i <= n; i++) if (deps[i] in cgo) bad[base] = 1
      next
    }
    $1 == "root" && !($2 in bad) { print $2 }
  '
}

[ $# -gt 0 ] || set -- linux darwin windows
for goos in "$@"; do
  if [ "$goos" = "$(go env GOHOSTOS)" ]; then
    echo "vet: $goos ./..."
    go vet ./...
    continue
  fi
  if [ "$goos" = windows ] && command -v "$mingw_cc" >/dev/null; then
    echo "vet: windows with $mingw_cc ./..."
    CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$mingw_cc" go vet ./...
    continue
  fi
  if [ "$goos" = darwin ]; then
    # The macOS lock watcher calls CoreFoundation through purego, not cgo:
    # it builds, with its test binary, for both Mac architectures (the vet
    # below covers it for amd64). Compiled, not run: there is no Mac here.
    for arch in arm64 amd64; do
      echo "build: darwin/$arch CGO_ENABLED=0 ./internal/away (compiled, not run)"
      CGO_ENABLED=0 GOOS=darwin GOARCH=$arch go build ./internal/away/
      CGO_ENABLED=0 GOOS=darwin GOARCH=$arch go test -c -o /dev/null ./internal/away/
    done
    CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 go vet ./internal/away/
  fi
  patterns=()
  for d in "${nocgo_dirs[@]}"; do
    [ -d "$d" ] && patterns+=("./$d/...")
  done
  pkgs=()
  if [ ${#patterns[@]} -gt 0 ]; then
    mapfile -t pkgs < <(cgo_free "$goos" "${patterns[@]}")
  fi
  if [ ${#pkgs[@]} -eq 0 ]; then
    echo "vet: $goos: no cgo-free packages yet"
    continue
  fi
  echo "vet: $goos CGO_ENABLED=0, ${#pkgs[@]} packages: ${pkgs[*]#github.com/phoneset/phoneset/}"
  CGO_ENABLED=0 GOOS="$goos" GOARCH=amd64 go vet "${pkgs[@]}"
done
