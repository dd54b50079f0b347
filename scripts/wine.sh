#!/usr/bin/env bash
# Prepares Wine to run Phoneset's Windows build (bin/phoneset.exe) and prints
# the path of a ready Wine prefix, a template to copy, not to run in:
#   scripts/wine.sh            install Wine if missing, build or reuse the prefix
# The prefix is `wineboot -i` plus a bcryptprimitives.dll shim (scripts/wine/),
# which Go >= 1.24 needs and Wine 8 lacks. Building it takes a while, so it is
# cached under ~/.cache/phoneset/wine-<hash of the shim, this script and the
# Wine version>: a changed input builds a new one, an unchanged run reuses it.
# scripts/services.sh (svc_start_wine) copies it per run, so credentials and
# registry writes of one run never reach the next.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh wine

# What wine runs with, here and in svc_start_wine: the shim over any builtin,
# no Mono or Gecko download prompts, no menu entries written into $HOME.
export WINEDLLOVERRIDES="bcryptprimitives=n;mscoree=;mshtml=;winemenubuilder.exe=d"
export WINEDEBUG=-all
export WINEARCH=win64

# Not $XDG_CACHE_HOME: services.sh points it at a per-run temp dir.
cache=${PHONESET_WINE_CACHE:-$HOME/.cache/phoneset}
key=$({
  cat scripts/wine.sh scripts/wine/processprng.c scripts/wine/processprng.def
  wine --version
  x86_64-w64-mingw32-gcc --version | head -n 1
} | sha256sum | cut -c1-16)
prefix="$cache/wine-$key"

mkdir -p "$cache"
# Two runs at once (two worktrees) must not build into the same directory.
exec 9>"$cache/wine.lock"
flock 9

if [ ! -f "$prefix/.phoneset-ready" ]; then
  start=$SECONDS
  tmp=$(mktemp -d "$cache/wine-$key.tmp.XXXXXX")
  home=$(mktemp -d)
  trap 'rm -rf "$tmp" "$home"' EXIT
  export WINEPREFIX="$tmp/prefix"
  echo "wine: building prefix $prefix ($(wine --version))" >&2
  # No display: wineboot needs none. A private HOME keeps Wine from linking
  # the prefix's Documents/Desktop to this user's real ones.
  env -u DISPLAY HOME="$home" wineboot -i
  # wineboot returns before its helpers finish writing the registry.
  env -u DISPLAY HOME="$home" wineserver -w
  # Wine linked Desktop, Documents… to that HOME, gone after this run.
  for d in "$WINEPREFIX"/drive_c/users/*/*; do
    if [ -L "$d" ]; then
      rm "$d"
      mkdir "$d"
    fi
  done
  x86_64-w64-mingw32-gcc -shared -O2 -s \
    -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    scripts/wine/processprng.c scripts/wine/processprng.def
  touch "$WINEPREFIX/.phoneset-ready"
  rm -rf "$prefix"
  mv "$WINEPREFIX" "$prefix"
  # Older prefixes are left over from another Wine or shim version.
  find "$cache" -maxdepth 1 -name 'wine-*' ! -name "wine-$key" -exec rm -rf {} +
  echo "wine: prefix ready in $((SECONDS - start))s" >&2
fi
echo "$prefix"
