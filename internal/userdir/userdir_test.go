package userdir

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestDataHonoursXDGDataHome(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG applies on Linux")
	}
	base := t.TempDir()
	t.Setenv("XDG_DATA_HOME", base)
	dir, err := Data()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(base, AppName); dir != want {
		t.Fatalf("Data() = %q, want %q", dir, want)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data dir not created owner-only: %v %v", fi, err)
	}
}

func TestDataIgnoresRelativeXDG(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG applies on Linux")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "relative/dir")
	dir, err := Data()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".local", "share", AppName); dir != want {
		t.Fatalf("Data() = %q, want %q", dir, want)
	}
}
