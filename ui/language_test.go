package ui

import (
	"bytes"
	"encoding/json"
	"log"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/machineconf"
	"github.com/phoneset/phoneset/third_party/fynelang"
)

func TestUseLanguageSwitchesBothWays(t *testing.T) {
	setup(t)
	t.Cleanup(func() { UseLanguage("en") })
	tests := []struct {
		code, save, plural string
	}{
		{"sv", "Spara", "Sparar 2 ändringar…"},
		{"en", "Save", "Saving 2 changes…"},
		{"sv", "Spara", "Sparar 2 ändringar…"},
	}
	for _, tt := range tests {
		if err := UseLanguage(tt.code); err != nil {
			t.Fatal(err)
		}
		if got := lang.L("Save"); got != tt.save {
			t.Errorf("%s: Save = %q, want %q", tt.code, got, tt.save)
		}
		if got := lang.LocalizePlural("Saving {{.Count}} change…", 2, map[string]any{"Count": 2}); got != tt.plural {
			t.Errorf("%s: plural = %q, want %q", tt.code, got, tt.plural)
		}
	}
	if err := UseLanguage("de"); err == nil {
		t.Error("an unshipped language was accepted")
	}
}

// TestNoTranslationFailure builds the whole window — the sign-in page, then
// every page, menu item and dialog signed in, then signed out again — in
// each shipped language under system locales Fyne has messages for and
// lacks them for, and fails on any translation failure Fyne logs. It also
// looks up each of Fyne's own messages as its drivers do: the desktop
// driver asks for "Quit" on every main menu, which the test driver never
// does.
func TestNoTranslationFailure(t *testing.T) {
	// Registered before any Setenv, so it runs once the locale is restored.
	t.Cleanup(func() { UseLanguage(systemLanguage()) })
	for _, locale := range []string{"C.UTF-8", "en_US.UTF-8", "sv_SE.UTF-8", "sv_FI.UTF-8", "de_DE.UTF-8"} {
		for _, code := range api.Languages {
			t.Run(locale+"/"+code, func(t *testing.T) {
				for _, v := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES"} {
					t.Setenv(v, "")
				}
				t.Setenv("LANG", locale)
				setup(t)
				prev := log.Writer()
				log.SetOutput(failureLog{t})
				t.Cleanup(func() { log.SetOutput(prev) })
				m := newFakeModel()
				m.signedIn = false
				m.me.Profile.Language = code
				w := test.NewWindow(nil)
				w.Resize(fyne.NewSize(900, 600))
				t.Cleanup(w.Close)
				Show(w, m, fakeBackend{newFakeServer(), newFakeOrg()}, Options{Device: "laptop",
					OpenAudio: func() (DevicesModel, error) { return newFakeAudio(laptopMic, headset), nil }, AudioPrefs: &memPrefs{}, Demo: &DemoAccounts{Admin: "admin", Agents: []string{"agent1"}, Password: "pw"},
					Server: machineconf.Server{Source: machineconf.SourceDemo}})
				c := w.Canvas()
				test.Type(c.Focused(), "agent1")
				c.FocusNext()
				test.Type(c.Focused(), "Phoneset-demo-1")
				c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
				runMenus(w, true)
				runMenus(w, false) // on the sign-in page again

				fyneMsgs, err := fynelang.Messages(code)
				if err != nil {
					t.Fatal(err)
				}
				var keys map[string]any
				if err := json.Unmarshal(fyneMsgs, &keys); err != nil {
					t.Fatal(err)
				}
				for k := range keys {
					lang.X(k, k)
				}
				// X: Fyne's key, not one of the app's (assets checks those).
				if got, want := lang.X("Quit", "Quit"), map[string]string{"en": "Quit", "sv": "Avsluta"}[code]; got != want {
					t.Errorf("Fyne's Quit = %q, want %q", got, want)
				}
				if got, want := lang.L("Sign out"), map[string]string{"en": "Sign out", "sv": "Logga ut"}[code]; got != want {
					t.Errorf("Sign out = %q, want %q", got, want)
				}
			})
		}
	}
}

// runMenus runs every item of the window's main menu once, leaving
// signing out for last when signOut is set.
func runMenus(w fyne.Window, signOut bool) {
	var last func()
	for _, m := range w.MainMenu().Items {
		for _, it := range m.Items {
			switch {
			case it.IsSeparator || it.Action == nil:
			case it.Label == lang.L("Sign out"):
				last = it.Action
			default:
				it.Action()
			}
		}
	}
	if signOut && last != nil {
		last()
	}
}

// failureLog is where the log package writes during a subtest: Fyne logs
// a translation failure through it, and each one fails the test.
type failureLog struct{ t *testing.T }

func (f failureLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("Translation failure")) || bytes.Contains(p, []byte("not found in language")) {
		f.t.Errorf("Fyne logged: %s", bytes.TrimSpace(p))
	}
	return len(p), nil
}
