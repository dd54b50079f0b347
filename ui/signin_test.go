package ui

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
)

func TestSignInPageRenders(t *testing.T) {
	setup(t)
	demo := &DemoAccounts{Admin: "admin", Agents: []string{"agent1", "agent2"}, Password: "Phoneset-demo-1"}
	p := NewSignInPage(newFakeModel(), "laptop", demo.hint(), func() {})
	w := show(t, p.Content())
	test.AssertRendersToMarkup(t, "signin.xml", w.Canvas())
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
		{"server down", "agent1", "x", &api.TransportError{Err: errors.New("connection refused")}, 1, false, "Can't reach the server. Check your connection and try again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			m := newFakeModel()
			m.signInErr = tt.err
			done := false
			p := NewSignInPage(m, "laptop", "", func() { done = true })
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
	p := NewSignInPage(m, "laptop", "", func() {})
	w := show(t, p.Content())
	p.Focus(w.Canvas())
	test.Type(p.login, "agent1")
	test.Type(p.password, "secret")
	p.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(m.signIns) != 1 {
		t.Fatalf("Return in the password field did not sign in")
	}
}
