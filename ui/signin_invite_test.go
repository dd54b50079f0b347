package ui

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// The app's account model offers the invitation's step.
var _ InviteSignInModel = (*account.Model)(nil)

// fakeInviteModel is a model that accepts invitations and answers err.
type fakeInviteModel struct {
	*fakeModel
	err   error
	calls [][4]string // token username password device
}

func (f *fakeInviteModel) AcceptInvitation(_ context.Context, token, username, password, device string) error {
	f.calls = append(f.calls, [4]string{token, username, password, device})
	return f.err
}

// inviteButton is the page's "Accept an invitation", or nil.
func inviteButton(p *SignInPage) *widget.Button {
	return findButton(p.main, lang.L("Accept an invitation"))
}

const inviteLink = "https://phoneset.example/v1/invitations/accept?token=psl_abc-DEF_123"

func TestSignInInviteRenders(t *testing.T) {
	setup(t)
	p := NewSignInPage(&fakeInviteModel{fakeModel: newFakeModel()}, newFakeServer(), "laptop", "", func() {})
	w := show(t, p.Content())
	assertGolden(t, "signin_invite.xml", w.Canvas())
	test.Tap(inviteButton(p))
	w.Resize(fyne.NewSize(900, 720))
	assertGolden(t, "signin_invite_form.xml", w.Canvas())
}

// TestSignInInvite: the invitation's form sends the link's token with the
// chosen username and password, signs in on success, and on a refusal says
// why in words and keeps everything typed.
func TestSignInInvite(t *testing.T) {
	used := api.Invalid(map[string]*api.Reason{api.FieldToken: api.Because(api.ReasonTokenInvalid)})
	taken := &api.Error{Status: http.StatusConflict, Code: api.CodeConflict, Fields: map[string]*api.Reason{api.FieldUsername: api.Because(api.ReasonTaken)}}
	weak := api.Invalid(map[string]*api.Reason{api.FieldPassword: api.Because(api.ReasonPasswordPersonal)})
	tests := []struct {
		name     string
		link     string
		username string
		password string
		repeat   string
		err      error
		token    string // sent, "" for no call
		done     bool
		message  string
	}{
		{"link", inviteLink, " nina ", "Tangerine-Orbit-42", "Tangerine-Orbit-42", nil, "psl_abc-DEF_123", true, ""},
		{"link in angle brackets", " <" + inviteLink + "> ", "nina", "Tangerine-Orbit-42", "Tangerine-Orbit-42", nil, "psl_abc-DEF_123", true, ""},
		{"token alone", " psl_abc-DEF_123\n", "nina", "Tangerine-Orbit-42", "Tangerine-Orbit-42", nil, "psl_abc-DEF_123", true, ""},
		{"no link", "", "nina", "Tangerine-Orbit-42", "Tangerine-Orbit-42", nil, "", false, ""},
		{"no username", inviteLink, " ", "Tangerine-Orbit-42", "Tangerine-Orbit-42", nil, "", false, ""},
		{"password breaks the policy", inviteLink, "nina", "password", "password", nil, "", false, ""},
		{"password holds the username", inviteLink, "nina", "Nina-2026-xyz!", "Nina-2026-xyz!", nil, "", false, ""},
		{"passwords differ", inviteLink, "nina", "Tangerine-Orbit-42", "Tangerine-Orbit-43", nil, "", false, ""},
		{"used, expired or revoked link", inviteLink, "nina", "Tangerine-Orbit-42", "Tangerine-Orbit-42", used, "psl_abc-DEF_123", false,
			"This invitation link has been used, has expired or was withdrawn. Ask an admin to send you a new invitation."},
		{"username taken", inviteLink, "nina", "Tangerine-Orbit-42", "Tangerine-Orbit-42", taken, "psl_abc-DEF_123", false, "Username: is taken"},
		{"password refused by the server", inviteLink, "nina", "Tangerine-Orbit-42", "Tangerine-Orbit-42", weak, "psl_abc-DEF_123", false,
			"Password: " + api.ReasonText(api.ReasonPasswordPersonal)},
		{"server unreachable", inviteLink, "nina", "Tangerine-Orbit-42", "Tangerine-Orbit-42", &client.TransportError{Err: fmt.Errorf("refused")}, "psl_abc-DEF_123", false,
			"Can't reach the server. Check your connection and try again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			m := &fakeInviteModel{fakeModel: newFakeModel(), err: tt.err}
			done := false
			p := NewSignInPage(m, newFakeServer(), "laptop", "", func() { done = true })
			show(t, p.Content())
			f := p.acceptInvitation(m)
			test.Type(f.link, tt.link)
			test.Type(f.username, tt.username)
			test.Type(f.fields.password, tt.password)
			test.Type(f.fields.repeat, tt.repeat)
			if f.create.Disabled() != (tt.token == "") {
				t.Fatalf("button disabled %v", f.create.Disabled())
			}
			f.fields.repeat.OnSubmitted(tt.repeat) // Enter in the last field
			switch {
			case tt.token == "" && len(m.calls) != 0:
				t.Fatalf("sent %q", m.calls)
			case tt.token != "" && (len(m.calls) != 1 || m.calls[0] != [4]string{tt.token, "nina", tt.password, "laptop"}):
				t.Fatalf("sent %q", m.calls)
			}
			if done != tt.done {
				t.Errorf("signed in: %v", done)
			}
			if got := f.problem.Text; f.problem.Visible() != (tt.message != "") || got != tt.message && tt.message != "" {
				t.Errorf("problem %q (shown %v), want %q", got, f.problem.Visible(), tt.message)
			}
			if tt.err != nil {
				// Nothing typed is lost, and the invitee can try again.
				if f.link.Text != tt.link || f.username.Text != tt.username || f.fields.password.Text != tt.password || f.fields.repeat.Text != tt.repeat {
					t.Errorf("typed text lost: %q %q %q %q", f.link.Text, f.username.Text, f.fields.password.Text, f.fields.repeat.Text)
				}
				if f.create.Disabled() || f.busy.Visible() {
					t.Error("the form is still busy after the refusal")
				}
			}
		})
	}
}

// TestSignInInviteOnlyWhenTheModelCan: a model that cannot accept
// invitations gets no button, and "Back to sign in" returns to the form.
func TestSignInInviteOnlyWhenTheModelCan(t *testing.T) {
	setup(t)
	if inviteButton(NewSignInPage(newFakeModel(), newFakeServer(), "laptop", "", func() {})) != nil {
		t.Error("a model without invitations offers them")
	}
	p := NewSignInPage(&fakeInviteModel{fakeModel: newFakeModel()}, newFakeServer(), "laptop", "", func() {})
	show(t, p.Content())
	test.Tap(inviteButton(p))
	if p.content.Objects[0] == p.main {
		t.Fatal("the invitation's form is not shown")
	}
	test.Tap(findButton(p.content, lang.L("Back to sign in")))
	if p.content.Objects[0] != p.main {
		t.Error("Back to sign in did not return to the sign-in form")
	}
}

// TestSignInInviteEnrols: in an organisation that requires a second
// factor, accepting makes the account and goes on to the enrolment step,
// not to a session.
func TestSignInInviteEnrols(t *testing.T) {
	setup(t)
	challenge := &api.Error{Status: http.StatusUnauthorized, Code: api.CodeSecondFactorRequired,
		Reason: &api.Reason{Code: api.ReasonSecondFactor, Args: api.Args{"challenge": "psc_new", "enrol": true}}}
	m := &fakeInviteModel{fakeModel: newFakeModel(), err: challenge}
	done := false
	p := NewSignInPage(m, newFakeServer(), "laptop", "", func() { done = true })
	show(t, p.Content())
	f := p.acceptInvitation(m)
	test.Type(f.link, inviteLink)
	test.Type(f.username, "nina")
	test.Type(f.fields.password, "Tangerine-Orbit-42")
	test.Type(f.fields.repeat, "Tangerine-Orbit-42")
	f.Accept()
	if done || f.problem.Visible() {
		t.Fatalf("signed in %v, problem %q", done, f.problem.Text)
	}
	if p.second == nil || p.second.challenge != "psc_new" || findButton(p.content, lang.L("Verify")) != p.second.verify {
		t.Fatal("the enrolment step is not shown")
	}
	if f.fields.password.Text != "" {
		t.Error("the new password stays in the hidden form")
	}
}
