package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
)

// fakeSSOModel is a model that signs in through the company's provider:
// it "opens the browser" at a fixed URL and answers err.
type fakeSSOModel struct {
	*fakeModel
	err    error
	calls  []string // email device
	opened []string
}

func (f *fakeSSOModel) SignInSSO(_ context.Context, email, device string, _ account.Browser) error {
	f.calls = append(f.calls, email+" "+device)
	f.opened = append(f.opened, "https://idp.example/authorize?state=s")
	return f.err
}

// ssoButton is the page's "Sign in with your company", or nil.
func ssoButton(p *SignInPage) *widget.Button {
	return findButton(p.main, lang.L("Sign in with your company"))
}

func TestSignInSSORenders(t *testing.T) {
	setup(t)
	p := NewSignInPage(&fakeSSOModel{fakeModel: newFakeModel()}, newFakeServer(), "laptop", "", func() {})
	w := show(t, p.Content())
	assertGolden(t, "signin_sso.xml", w.Canvas())
	test.Type(p.login, "bo@demo.phoneset.test")
	test.Tap(ssoButton(p))
	assertGolden(t, "signin_sso_form.xml", w.Canvas())
}

func TestSignInSSO(t *testing.T) {
	tests := []struct {
		name    string
		email   string
		err     error
		calls   int
		done    bool
		message string
	}{
		{"not an address", "bo", nil, 0, false, "Enter your work email address."},
		{"signed in", " bo@demo.phoneset.test ", nil, 1, true, ""},
		{"cancelled at the provider", "bo@demo.phoneset.test", account.ErrSSOCancelled, 1, false, "The sign-in with your company was cancelled."},
		{"too slow", "bo@demo.phoneset.test", context.DeadlineExceeded, 1, false, "The sign-in with your company took too long. Try again."},
		{"nobody with the address", "bo@demo.phoneset.test", api.Refused(403, api.CodeForbidden, api.Because(api.ReasonSSONoAccount)), 1, false,
			"No Phoneset account has this email address; ask an admin to invite you"},
		{"no provider for the domain", "bo@other.example", api.Refused(404, api.CodeNotFound, api.Because(api.ReasonSSONotConfigured)), 1, false,
			"No organisation signs in with single sign-on for this email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			m := &fakeSSOModel{fakeModel: newFakeModel(), err: tt.err}
			done := false
			p := NewSignInPage(m, newFakeServer(), "laptop", "", func() { done = true })
			show(t, p.Content())
			form := p.signInSSO(m)
			test.Type(form.email, tt.email)
			test.Tap(form.start)
			if len(m.calls) != tt.calls || (tt.calls > 0 && m.calls[0] != strings.TrimSpace(tt.email)+" laptop") {
				t.Fatalf("calls %q", m.calls)
			}
			if done != tt.done {
				t.Errorf("signed in: %v", done)
			}
			if got := form.problem.Text; (tt.message == "") == form.problem.Visible() || got != tt.message && tt.message != "" {
				t.Errorf("problem %q (shown %v), want %q", got, form.problem.Visible(), tt.message)
			}
			if form.waiting.Visible() || form.start.Disabled() {
				t.Error("still waiting after the answer")
			}
		})
	}
}

// TestSignInSSOHiddenForDemo: the embedded demo backend has no single
// sign-on, and a model that cannot sign in so gets no button.
func TestSignInSSOHiddenForDemo(t *testing.T) {
	setup(t)
	if ssoButton(NewSignInPage(&fakeSSOModel{fakeModel: newFakeModel()}, newFakeServer(), "laptop", "demo accounts", func() {})) != nil {
		t.Error("the demo offers single sign-on")
	}
	if ssoButton(NewSignInPage(newFakeModel(), newFakeServer(), "laptop", "", func() {})) != nil {
		t.Error("a model without single sign-on offers it")
	}
}

// TestBrowserEnv: PHONESET_BROWSER names the command that opens the
// provider's page, with the URL as its last argument.
func TestBrowserEnv(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s %s' \"$1\" \"$2\" > "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(BrowserEnv, script+" --new-window")
	if err := openBrowser("https://idp.example/authorize?a=1&b=2"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(out); string(b) == "--new-window https://idp.example/authorize?a=1&b=2" {
			return
		}
	}
	b, _ := os.ReadFile(out)
	t.Fatalf("the browser command got %q", b)
}

// TestSSOPageSpeaksTheAppsLanguage: the browser's page after the sign-in
// is in the language the app speaks, from its translations.
func TestSSOPageSpeaksTheAppsLanguage(t *testing.T) {
	setup(t)
	t.Cleanup(func() { UseLanguage("en") })
	tests := []struct{ code, done, failed string }{
		{"sv", "Du kan stänga den här fliken och gå tillbaka till Phoneset.", "Inloggningen misslyckades"},
		{"en", "You can close this tab and return to Phoneset.", "Sign-in failed"},
	}
	for _, tt := range tests {
		if err := UseLanguage(tt.code); err != nil {
			t.Fatal(err)
		}
		p := ssoPage()
		if p.Lang != tt.code || p.DoneText != tt.done || p.Failed != tt.failed {
			t.Errorf("%s: %+v", tt.code, p)
		}
	}
}
