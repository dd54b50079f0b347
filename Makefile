# Phoneset build and test entry points. Every Go command builds with the
# tag FyneApp.toml migrates to (fyne.Do threading), set in scripts/env.sh.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# scripts/env.sh names the Go toolchain and the build tag (in GOFLAGS) once.
export GOTOOLCHAIN := $(shell . scripts/env.sh && echo "$$GOTOOLCHAIN")
export GOFLAGS := $(shell . scripts/env.sh && echo "$$GOFLAGS")

# Tools run at named versions: the module proxy's @latest is not reliable here.
FYNE_CMD := fyne.io/tools/cmd/fyne@v1.7.4
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

WINDOWS_ENV := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc

# Build flags of every binary bin/ gets, the ones the e2e and Wine tests run
# and the ones packaged (GOFLAGS adds -trimpath to every build): -s -w
# leave out the symbol table and DWARF (panics still print file:line), and
# -X names the build for Help → About (internal/buildinfo): FyneApp.toml's
# Version and Build, and the commit (none outside git).
BUILDINFO := github.com/phoneset/phoneset/internal/buildinfo
VERSION := $(shell sed -n 's/^Version = "\(.*\)"$$/\1/p' FyneApp.toml)
BUILD := $(shell sed -n 's/^Build = \([0-9]*\)$$/\1/p' FyneApp.toml)
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS := -s -w -X $(BUILDINFO).Version=$(VERSION) -X $(BUILDINFO).Build=$(BUILD) -X $(BUILDINFO).Commit=$(COMMIT)
RELEASE_FLAGS = -ldflags "$(LDFLAGS)"

.PHONY: run check test soak-headset goldens build build-windows bench package package-deb package-msi package-tar \
	lint fuzz screenshots clean

## run: install build deps, build, start the app
run:
	scripts/deps.sh run
	$(MAKE) --no-print-directory build
	./bin/phoneset

## check: the quick loop while you work (under 3 minutes with a warm cache):
## gofmt, go vet and every test that needs no service (those skip)
check:
	scripts/check.sh

## test: install test deps, start services, run every check (scripts/test.sh)
test:
	scripts/deps.sh test
	scripts/test.sh

## goldens: regenerate the UI golden files (then read git diff)
goldens:
	scripts/goldens.sh

## build: bin/phoneset and bin/phoneset-server for this machine
build:
	go build $(RELEASE_FLAGS) -o bin/ ./cmd/...

## build-windows: bin/phoneset.exe and bin/phoneset-server.exe (MinGW cross cgo)
build-windows:
	scripts/deps.sh windows
	$(WINDOWS_ENV) go build $(RELEASE_FLAGS) -o bin/ ./cmd/...

## soak-headset: the headset check's 100-in-a-row matrix over parallel
## PulseAudio servers (scripts/soak-headset.sh; K=servers, default 7)
soak-headset:
	scripts/deps.sh test
	scripts/soak-headset.sh $(K)

## bench: Go benchmarks with services, then scripts/bench-*.sh
bench:
	scripts/deps.sh test
	scripts/bench.sh

## package: the installers, into bin/, from what make build and build-windows
## build (stripped, RELEASE_FLAGS), at FyneApp.toml's Version:
##   phoneset_VERSION_ARCH.deb  Debian/Ubuntu (packaging/linux/deb.sh)
##   Phoneset-VERSION-x64.msi   Windows, per machine (packaging/windows/msi.sh);
##                              signed when PHONESET_SIGN_PFX names a certificate
##   Phoneset.tar.xz            other Linux distributions (fyne package)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)

package: package-deb package-msi package-tar

package-deb: build
	scripts/deps.sh package
	packaging/linux/deb.sh $(VERSION) bin/phoneset bin/phoneset_$(VERSION)_$(DEB_ARCH).deb

package-msi: build-windows
	scripts/deps.sh package
	packaging/windows/msi.sh $(VERSION) bin bin/Phoneset-$(VERSION)-x64.msi

# fyne package bumps Build in FyneApp.toml; the file is restored so packaging
# leaves the tree clean.
package-tar: build
	orig=$$(mktemp); cp FyneApp.toml "$$orig"; \
	trap 'cp "$$orig" $(CURDIR)/FyneApp.toml; rm -f "$$orig"' EXIT; \
	cd bin && go run $(FYNE_CMD) package -os linux \
		-src $(CURDIR) -exe $(CURDIR)/bin/phoneset

## lint: gofmt, go vet (host, windows, darwin; see scripts/vet.sh), staticcheck, govulncheck
lint:
	scripts/gofmt-check.sh
	scripts/vet.sh
	go run $(STATICCHECK) ./...
	scripts/vulncheck.sh

## fuzz: every Fuzz* target for 60 s
fuzz:
	scripts/fuzz.sh 60s

## screenshots: refresh docs/screenshots with the end-to-end test under Xvfb
screenshots:
	scripts/deps.sh test
	scripts/screenshots.sh

## clean: remove build outputs (never the Go cache)
clean:
	rm -rf bin
