package ui

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
)

// fakeBackend is the whole Server the window needs, from the page fakes.
type fakeBackend struct {
	*fakeServer
	*fakeOrg
}

// appWindow is a window for Show, with a fake model that has a stored
// session or not.
func appWindow(t *testing.T, stored bool) (*fakeModel, fyne.Window) {
	setup(t)
	m := newFakeModel()
	m.signedIn = stored
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(900, 600))
	t.Cleanup(w.Close)
	return m, w
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
			m, w := appWindow(t, tt.stored)
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

// TestAudioOpensOnFirstUse: nothing before sign-in or on other pages opens
// the audio; the Devices page or Copy diagnostics opens it, once, even when
// it can't be opened (TestShellDevicesWithoutAudioSaysWhy: what the page
// says then).
func TestAudioOpensOnFirstUse(t *testing.T) {
	tests := []struct {
		name    string
		first   string // menu item that needs audio first
		openErr error
		want    string // shown on the Devices page
	}{
		{"Devices page", "Devices", nil, "Microphone"},
		{"Copy diagnostics", "Copy diagnostics", nil, "Microphone"},
		{"no sound server", "Devices", errors.New("no sound server"), "Audio devices aren't available: no sound server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			m := newFakeModel()
			w := test.NewWindow(nil)
			w.Resize(fyne.NewSize(900, 600))
			t.Cleanup(w.Close)
			opens := 0
			open := func() (DevicesModel, error) {
				opens++
				if tt.openErr != nil {
					return nil, tt.openErr
				}
				return newFakeAudio(laptopMic, laptopSpeaker), nil
			}
			Show(w, m, fakeBackend{newFakeServer(), newFakeOrg()}, Options{Device: "laptop", OpenAudio: open, AudioPrefs: &memPrefs{}})
			menuItem(t, w, "Status").Action()
			if opens != 0 {
				t.Fatalf("audio opened %d times before a page needed it", opens)
			}
			menuItem(t, w, tt.first).Action()
			menuItem(t, w, "Devices").Action()
			menuItem(t, w, "Copy diagnostics").Action()
			if opens != 1 {
				t.Errorf("audio opened %d times, want once", opens)
			}
			if markup := test.RenderToMarkup(w.Canvas()); !strings.Contains(markup, tt.want) {
				t.Errorf("the Devices page does not show %q:\n%s", tt.want, markup)
			}
		})
	}
}

// TestDevicesPageWhileAudioOpens: until the audio is open the page says so;
// then the Devices page takes its place, with the focus only if it is still
// the page on show.
func TestDevicesPageWhileAudioOpens(t *testing.T) {
	for _, stay := range []bool{true, false} {
		setup(t)
		w := test.NewWindow(nil)
		w.Resize(fyne.NewSize(900, 600))
		t.Cleanup(w.Close)
		open := func() (DevicesModel, error) { return newFakeAudio(laptopMic, laptopSpeaker), nil }
		Show(w, newFakeModel(), fakeBackend{newFakeServer(), newFakeOrg()}, Options{Device: "laptop", OpenAudio: open, AudioPrefs: &memPrefs{}})
		var held []func()
		goAsync = func(fn func()) { held = append(held, fn) }
		menuItem(t, w, "Devices").Action()
		if markup := test.RenderToMarkup(w.Canvas()); !strings.Contains(markup, "Opening audio devices…") {
			t.Fatalf("while the audio opens the page shows:\n%s", markup)
		}
		if !stay {
			menuItem(t, w, "Status").Action()
		}
		for _, fn := range held {
			fn()
		}
		_, micFocused := w.Canvas().Focused().(*widget.Select)
		if micFocused != stay {
			t.Errorf("stayed on the page %v: microphone picker focused %v", stay, micFocused)
		}
		if stay && !strings.Contains(test.RenderToMarkup(w.Canvas()), "Microphone") {
			t.Errorf("the Devices page did not replace the notice")
		}
	}
}

// TestLateChangeAfterSignOut: a change the model sent as the session
// ended, reaching the UI only after the sign-in page is up (the sign-out's
// own, with an empty profile), leaves the sign-in page there.
func TestLateChangeAfterSignOut(t *testing.T) {
	setup(t)
	m := newFakeModel()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(900, 600))
	t.Cleanup(w.Close)
	Show(w, m, fakeBackend{newFakeServer(), newFakeOrg()}, Options{Device: "laptop"})
	late := maps.Clone(m.subs)
	menuItem(t, w, "Sign out").Action()
	if w.Title() != windowTitle(lang.L("Sign in")) {
		t.Fatalf("after Sign out the title is %q", w.Title())
	}
	m.me = api.Me{}
	for _, fn := range late {
		fn(account.MeChanged)
	}
	if w.Title() != windowTitle(lang.L("Sign in")) || !strings.Contains(test.RenderToMarkup(w.Canvas()), lang.L("Sign in to Phoneset")) {
		t.Errorf("a late change replaced the sign-in page: title %q", w.Title())
	}
}

// TestBuiltInBackendFailure: the window does not wait for the built-in
// backend, but if it fails the window says why, whichever page it had
// reached, and no page replaces that later; a backend that starts changes
// nothing.
func TestBuiltInBackendFailure(t *testing.T) {
	failure := errors.New("open embedded backend: store: database is locked")
	tests := []struct {
		name         string
		stored       bool  // a session in the keyring
		backendFirst bool  // the backend's answer comes before the session's
		err          error // the backend's answer
		wantTitle    string
	}{
		{"fails before the sign-in page", false, true, failure, "Phoneset — Can't start"},
		{"fails after the sign-in page", false, false, failure, "Phoneset — Can't start"},
		{"fails after a restored session", true, false, failure, "Phoneset — Can't start"},
		{"starts", false, false, nil, "Phoneset — Sign in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, w := appWindow(t, tt.stored)
			var held []func()
			goAsync = func(fn func()) { held = append(held, fn) }
			ready := func(context.Context) error { return tt.err }
			Show(w, m, fakeBackend{newFakeServer(), newFakeOrg()}, Options{Device: "laptop", BackendReady: ready})
			if len(held) != 2 {
				t.Fatalf("Show started %d background jobs, want 2 (session, backend)", len(held))
			}
			if tt.backendFirst {
				held[0], held[1] = held[1], held[0]
			}
			for _, fn := range held {
				fn()
			}
			if got := w.Title(); got != tt.wantTitle {
				t.Fatalf("title = %q, want %q", got, tt.wantTitle)
			}
			markup := test.RenderToMarkup(w.Canvas())
			if tt.err == nil {
				if strings.Contains(markup, "can't start") {
					t.Errorf("a backend that started is reported as failed:\n%s", markup)
				}
				return
			}
			for _, want := range []string{"Phoneset can't start", "database is locked", "--server"} {
				if !strings.Contains(markup, want) {
					t.Errorf("the window does not say %q:\n%s", want, markup)
				}
			}
			menuItem(t, w, "Copy diagnostics")
			if b, ok := w.Canvas().Focused().(*widget.Button); !ok || b.Text != "Close" {
				t.Errorf("focus on %#v, want the Close button", w.Canvas().Focused())
			}
		})
	}
}
