// Package buildinfo names this build of the app. Release builds set the
// variables with the linker:
//
//	go build -ldflags "-X github.com/phoneset/phoneset/internal/buildinfo.Version=0.1.0
//	  -X github.com/phoneset/phoneset/internal/buildinfo.Build=1
//	  -X github.com/phoneset/phoneset/internal/buildinfo.Commit=abc1234"
//
// with Version and Build from FyneApp.toml. A plain `go build` leaves them
// empty, and the app says "dev".
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Set by -ldflags -X; empty in a development build.
var (
	Version string // FyneApp.toml's Version, e.g. 0.1.0
	Build   string // FyneApp.toml's Build number
	Commit  string // the source's git commit
)

// Info is what About and the diagnostics say about the build.
type Info struct {
	Version, Build, Commit string // empty when not set at link time
	Go                     string // the Go release it was built with
	OS, Arch               string
	Fyne                   string // the Fyne module's version, if linked
}

// Read returns this build's Info.
func Read() Info {
	in := Info{Version: Version, Build: Build, Commit: Commit,
		Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		in.Fyne = moduleVersion(bi, "fyne.io/fyne/v2")
	}
	return in
}

// moduleVersion is the version of the dependency path in bi, "" if absent.
func moduleVersion(bi *debug.BuildInfo, path string) string {
	for _, m := range bi.Deps {
		if m.Path == path {
			if m.Replace != nil {
				m = m.Replace
			}
			return m.Version
		}
	}
	return ""
}
