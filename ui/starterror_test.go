package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestStartErrorWindowSaysWhy(t *testing.T) {
	for _, tt := range []struct{ code, heading string }{
		{"en", "Phoneset can't start"},
		{"sv", "Phoneset kan inte starta"},
	} {
		setup(t)
		t.Cleanup(func() { UseLanguage("en") })
		w := test.NewWindow(nil)
		err := errors.New(`machine-wide setting /etc/phoneset/phoneset.conf: line 1: client: unsupported scheme "ftp"`)
		startErrorWindow(w, tt.code, err)
		markup := test.RenderToMarkup(w.Canvas())
		for _, want := range []string{tt.heading, "/etc/phoneset/phoneset.conf: line 1"} {
			if !strings.Contains(markup, want) {
				t.Errorf("%s: the window does not say %q", tt.code, want)
			}
		}
		w.Close()
	}
}
