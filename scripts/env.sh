# shellcheck shell=bash
# The one place the Go toolchain and the build tag are named. Sourced by every
# script; the Makefile reads it too. GOFLAGS carries the tag, so a plain
# `go build`, `go test` or `go vet` in this environment builds what ships.
# A machine starts on its own Go and ignores go.mod's toolchain line when
# GOTOOLCHAIN=local is set (as here), so the version is exported.
# no_emoji leaves out Fyne's bundled colour emoji font (4.2 MB in the binary,
# and parsed again for every text style in use, ~10 MB of heap): Fyne draws
# emoji from the system's fonts instead. no_metadata leaves out Fyne's
# development fallback that reads FyneApp.toml from the working directory at
# start (a TOML parser and an icon scaler, 0.3 MB); release builds get the
# version from -X (Makefile) or fyne package. README: Size and memory.
# -trimpath keeps the build machine's paths out of what ships, and is here,
# not only in the release build, because it is part of every compiled
# package's cache key: with it everywhere, vet, test and the release build
# share one compile per package and platform (a cold `make test` compiled
# Linux and Windows twice, ~10 minutes).
export GOTOOLCHAIN=go1.27.3
export GOFLAGS="-buildvcs=false -trimpath -tags=migrated_fynedo,no_emoji,no_metadata"
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
