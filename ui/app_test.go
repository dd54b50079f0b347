package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// fakeBackend is the whole Server the window needs, from the page fakes.
type fakeBackend struct {
	*fakeServer
	*fakeOrg
}

// TestShowWiresTheWindow runs the window on fakes: it resumes a stored
// session or asks to sign in, and signing in opens the shell.
func TestShowWiresTheWindow(t *testing.T) {
	tests := []struct {
		name      string
		stored    bool // a session in the keyring
		wantTitle string
	}{
		{"stored session opens the shell", true, "Phoneset — Bo Agent"},
		{"no session asks to sign in", false, "Phoneset — Sign in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			m := newFakeModel()
			m.signedIn = tt.stored
			w := test.NewWindow(nil)
			w.Resize(fyne.NewSize(900, 600))
			t.Cleanup(w.Close)
			Show(w, m, fakeBackend{newFakeServer(), newFakeOrg()}, Options{Device: "laptop"})
			if got := w.Title(); got != tt.wantTitle {
				t.Fatalf("title = %q, want %q", got, tt.wantTitle)
			}
			if tt.stored {
				return
			}
			c := w.Canvas()
			if c.Focused() == nil {
				t.Fatal("nothing has focus on the sign-in page")
			}
			test.Type(c.Focused(), "agent1") // the login
			c.FocusNext()
			test.Type(c.Focused(), "Phoneset-demo-1")
			c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			if len(m.signIns) != 1 || m.signIns[0] != [3]string{"agent1", "Phoneset-demo-1", "laptop"} {
				t.Fatalf("sign-ins = %q", m.signIns)
			}
			if got := w.Title(); got != "Phoneset — Bo Agent" {
				t.Errorf("title after sign-in = %q", got)
			}
		})
	}
}
