package ui

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

func TestSignInPageRenders(t *testing.T) {
	setup(t)
	demo := &DemoAccounts{Admin: "admin", Agents: []string{"agent1", "agent2"}, Password: "Phoneset-demo-1"}
	p := NewSignInPage(newFakeModel(), newFakeServer(), "laptop", demo.hint(), func() {})
	w := show(t, p.Content())
	assertGolden(t, "signin.xml", w.Canvas())
}

func TestSignInPage(t *testing.T) {
	tests := []struct {
		name      string
		login     string
		password  string
		err       error
		wantCalls int
		wantDone  bool
		wantMsg   string
	}{
		{"empty fields are refused locally", "", "", nil, 0, false, "Enter your username and password."},
		{"missing password", "agent1", "", nil, 0, false, "Enter your username and password."},
		{"success", " agent1 ", "Phoneset-demo-1", nil, 1, true, ""},
		{"wrong password", "agent1", "nope", &api.Error{Status: 401, Code: api.CodeUnauthorized}, 1, false, "Wrong username or password."},
		{"rate limited", "agent1", "x", &api.Error{Status: 429, Code: api.CodeRateLimited, RetryAfter: 30 * time.Second}, 1, false, "Too many attempts. Try again in 30 seconds."},
		{"server busy", "agent1", "x", &api.Error{Status: 503, Code: api.CodeUnavailable, RetryAfter: 1500 * time.Millisecond}, 1, false, "The server is busy. Try again in 2 seconds."},
		{"server down", "agent1", "x", &client.TransportError{Err: errors.New("connection refused")}, 1, false, "Can't reach the server. Check your connection and try again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			m := newFakeModel()
			m.signInErr = tt.err
			done := false
			p := NewSignInPage(m, newFakeServer(), "laptop", "", func() { done = true })
			show(t, p.Content())
			test.Type(p.login, tt.login)
			test.Type(p.password, tt.password)
			test.Tap(p.submit)

			if len(m.signIns) != tt.wantCalls {
				t.Fatalf("SignIn called %d times, want %d", len(m.signIns), tt.wantCalls)
			}
			if tt.wantCalls > 0 && m.signIns[0] != [3]string{"agent1", tt.password, "laptop"} {
				t.Errorf("SignIn got %q", m.signIns[0])
			}
			if done != tt.wantDone {
				t.Errorf("onSignIn called = %v, want %v", done, tt.wantDone)
			}
			if got := p.problem.Text; p.problem.Visible() != (tt.wantMsg != "") || got != tt.wantMsg {
				t.Errorf("problem = %q (visible %v), want %q", got, p.problem.Visible(), tt.wantMsg)
			}
			if tt.wantDone && p.password.Text != "" {
				t.Error("password kept in the form after sign-in")
			}
			if p.submit.Disabled() {
				t.Error("submit left disabled")
			}
		})
	}
}

func TestSignInSubmitsOnEnter(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewSignInPage(m, newFakeServer(), "laptop", "", func() {})
	w := show(t, p.Content())
	p.Focus(w.Canvas())
	test.Type(p.login, "agent1")
	test.Type(p.password, "secret")
	p.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(m.signIns) != 1 {
		t.Fatalf("Return in the password field did not sign in")
	}
}

func TestSignInForgotPassword(t *testing.T) {
	setup(t)
	srv := newFakeServer()
	p := NewSignInPage(newFakeModel(), srv, "laptop", "", func() {})
	w := show(t, p.Content())
	test.Type(p.login, "agent1")
	p.Forgot()
	assertGolden(t, "signin_forgot.xml", w.Canvas())
	f := p.resetting
	if f == nil {
		t.Fatal("no reset form shown")
	}
	if f.login.Text != "agent1" {
		t.Fatalf("login not carried over: %q", f.login.Text)
	}
	f.channel.SetSelected(lang.L("Text a code to my mobile"))
	test.Tap(f.send)
	if len(srv.calls) != 1 || srv.calls[0] != "reset agent1 sms" || !f.step2.Visible() {
		t.Fatalf("calls %v, step 2 shown %v", srv.calls, f.step2.Visible())
	}
	test.Type(f.token, "123456")
	test.Type(f.fields.password, "password")
	if !f.set.Disabled() {
		t.Fatal("a common password can be set")
	}
	f.fields.password.SetText("Tr0ub4dor&3-horse")
	f.fields.repeat.SetText("Tr0ub4dor&3-horse")
	test.Tap(f.set)
	if srv.password != "Tr0ub4dor&3-horse" {
		t.Fatalf("password not reset: %v", srv.calls)
	}
	if p.content.Objects[0] != p.main || p.resetting != nil || p.problem.Text != lang.L("Password changed. Sign in with your new password.") {
		t.Errorf("not back on sign-in with a note: %q", p.problem.Text)
	}
}
