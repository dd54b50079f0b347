package ui

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/internal/buildinfo"
	"github.com/phoneset/phoneset/internal/diag"
	"github.com/phoneset/phoneset/internal/machineconf"
)

func TestAboutRenders(t *testing.T) {
	setup(t)
	w := show(t, widget.NewLabel(""))
	r := diag.Report{App: "Phoneset",
		Build:  buildinfo.Info{Version: "0.1.0", Build: "1", Commit: "b65bfa3", Go: "go1.27.3", OS: "linux", Arch: "amd64", Fyne: "v2.8.1"},
		Server: "https://phoneset.example.com", ServerSource: "/etc/phoneset/phoneset.conf"}
	copied := 0
	showAbout(w, r, func(done func()) { copied++; done() })
	assertGolden(t, "about.xml", w.Canvas())
	top := w.Canvas().Overlays().Top()
	test.Tap(findButton(top, lang.L("Copy diagnostics")))
	if copied != 1 || findButton(top, lang.L("Diagnostics copied")) == nil {
		t.Errorf("Copy diagnostics: %d copies, button not relabelled", copied)
	}
}

func TestServerSourceText(t *testing.T) {
	setup(t)
	for _, tt := range []struct{ src, want string }{
		{machineconf.SourceFlag, "the --server option"},
		{machineconf.SourceDemo, "built-in demo backend"},
		{`HKLM\SOFTWARE\Phoneset\ServerURL`, `machine-wide setting HKLM\SOFTWARE\Phoneset\ServerURL`},
		{"/etc/phoneset/phoneset.conf", "machine-wide setting /etc/phoneset/phoneset.conf"},
	} {
		if got := serverSourceText(tt.src); got != tt.want {
			t.Errorf("serverSourceText(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

// Real-looking secrets of a session (tokens as the server makes them).
const (
	secretAccess  = "psa_q2Vh3mZ0bN8xYtR5uW7kLp4sDf6gHj1aCe9vBn2MxQ0"
	secretRefresh = "psr_Zk8yT1wQ5eR3tY7uI9oP2aS4dF6gH0jK1lZ3xC5vB7n"
	secretURLPass = "it-s3cr3t-pa55"
	typedPassword = "Phoneset-demo-1" // what the fake server takes
)

// TestCopyDiagnosticsHoldsNoSecrets runs a session full of secrets: the
// password typed into the sign-in page and the API key page, the revealed
// API key, tokens and a URL with credentials in the logged errors and the
// server address. Copy diagnostics must carry none of them, and still say
// what support needs.
func TestCopyDiagnosticsHoldsNoSecrets(t *testing.T) {
	setup(t)
	rec := diag.NewRecorder(slog.DiscardHandler, 20)
	log := slog.New(rec)
	m := newFakeModel()
	m.signedIn = false
	srv := newFakeServer()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(900, 600))
	t.Cleanup(w.Close)
	Show(w, m, fakeBackend{srv, newFakeOrg()}, Options{Device: "laptop",
		OpenAudio:    func() (DevicesModel, error) { return newFakeAudio(laptopMic, headset), nil },
		AudioPrefs:   &memPrefs{},
		Server:       machineconf.Server{URL: "https://it:" + secretURLPass + "@phoneset.example.com", Source: "/etc/phoneset/phoneset.conf"},
		RecentErrors: rec.Recent})

	c := w.Canvas()
	test.Type(c.Focused(), "agent1")
	c.FocusNext()
	test.Type(c.Focused(), typedPassword)
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	apiKey := srv.key.Key
	menuItem(t, w, lang.L("API key")).Action()
	test.Type(visiblePasswordEntry(c.Content()), typedPassword)
	test.Tap(findButton(c.Content(), lang.L("Reveal")))
	if !strings.Contains(test.RenderToMarkup(c), apiKey) {
		t.Fatal("the API key was not revealed")
	}
	log.Error("sync failed", "err", errors.New("PATCH https://it:"+secretURLPass+"@phoneset.example.com/v1/me: 401 for Bearer "+secretAccess))
	log.Warn("refresh", "refresh_token", secretRefresh, "key", apiKey)
	log.Error("request", "body", `{"login":"agent1","password":"`+typedPassword+`"}`)

	menuItem(t, w, lang.L("Copy diagnostics")).Action()
	text := fyne.CurrentApp().Clipboard().Content()
	for _, s := range []string{secretAccess, secretRefresh, secretURLPass, typedPassword, apiKey,
		secretAccess[4:], secretRefresh[4:]} {
		if strings.Contains(text, s) {
			t.Errorf("diagnostics hold the secret %q:\n%s", s, text)
		}
	}
	for _, want := range []string{"Phoneset ", "Signed in as:  agent1", "Audio backend: pulseaudio",
		"capture: Built-in Microphone (default)", "playback: Jabra Evolve2 65 Stereo",
		"Audio use:     microphone: Built-in Microphone",
		"Server:        https://[redacted]@phoneset.example.com", "/etc/phoneset/phoneset.conf",
		"Recent errors (3):", "sync failed", "PATCH https://[redacted]@phoneset.example.com/v1/me: 401 for Bearer [redacted]"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text)
		}
	}
}

// menuItem is the main menu's item labelled label, in any menu.
func menuItem(t *testing.T, w fyne.Window, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range w.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("no menu item %q", label)
	return nil
}

// visiblePasswordEntry is the first password field shown in o.
func visiblePasswordEntry(o fyne.CanvasObject) (found *passwordEntry) {
	walkVisible(o, func(c fyne.CanvasObject) {
		if e, ok := c.(*passwordEntry); ok && found == nil {
			found = e
		}
	})
	return found
}
