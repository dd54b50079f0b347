package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestRead(t *testing.T) {
	Version, Build, Commit = "1.2.3", "7", "abc1234"
	t.Cleanup(func() { Version, Build, Commit = "", "", "" })
	got := Read()
	if got.Version != "1.2.3" || got.Build != "7" || got.Commit != "abc1234" {
		t.Errorf("link-time values not read: %+v", got)
	}
	if got.Go != runtime.Version() || got.OS != runtime.GOOS || got.Arch != runtime.GOARCH {
		t.Errorf("runtime values wrong: %+v", got)
	}
}

func TestModuleVersion(t *testing.T) {
	bi := &debug.BuildInfo{Deps: []*debug.Module{
		{Path: "example.com/a", Version: "v1.0.0"},
		{Path: "fyne.io/fyne/v2", Version: "v2.8.1", Replace: &debug.Module{Path: "../fyne", Version: "v2.8.1-fork"}},
	}}
	for _, tt := range []struct{ path, want string }{
		{"example.com/a", "v1.0.0"},
		{"fyne.io/fyne/v2", "v2.8.1-fork"},
		{"example.com/absent", ""},
	} {
		if got := moduleVersion(bi, tt.path); got != tt.want {
			t.Errorf("moduleVersion(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
