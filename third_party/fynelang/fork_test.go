package fynelang_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/third_party/fynelang"
)

// The copies must equal Fyne's files at the version the app links, for every
// language Phoneset ships: after a Fyne upgrade this fails until they are
// copied again.
func TestMatchesUpstream(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "fyne.io/fyne/v2").Output()
	if err != nil {
		t.Fatalf("go list fyne: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "lang", "translations")
	for _, code := range api.Languages {
		got, err := fynelang.Messages(code)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		want, err := os.ReadFile(filepath.Join(dir, "base."+code+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("base.%s.json differs from %s: copy it again", code, dir)
		}
	}
}
