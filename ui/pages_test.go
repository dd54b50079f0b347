package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

func TestStatusPage(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewStatusPage(m)
	w := show(t, p.Content())
	assertGolden(t, "status.xml", w.Canvas())

	if p.choice.Selected != lang.L("Online") || !p.reason.Disabled() || !p.apply.Disabled() {
		t.Fatalf("initial: choice %q, reason disabled %v, apply disabled %v", p.choice.Selected, p.reason.Disabled(), p.apply.Disabled())
	}
	if len(p.reason.Options) != 2 {
		t.Errorf("retired reason offered: %v", p.reason.Options)
	}
	// Unavailable needs a reason before it can be set.
	p.choice.SetSelected(lang.L("Unavailable"))
	if p.reason.Disabled() || !p.apply.Disabled() {
		t.Fatal("Unavailable without a reason can be applied")
	}
	p.reason.SetSelected("Lunch")
	test.Tap(p.apply)
	if len(m.statuses) != 1 || m.statuses[0] != (api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"}) {
		t.Fatalf("SetStatus got %+v", m.statuses)
	}
	if p.queue.Text != lang.L("You don't receive queue calls.") {
		t.Errorf("queue note = %q", p.queue.Text)
	}
	// Offline carries no reason.
	p.choice.SetSelected(lang.L("Offline"))
	test.Tap(p.apply)
	if got := m.statuses[1]; got != (api.StatusUpdate{Availability: api.Offline}) {
		t.Fatalf("Offline sent %+v", got)
	}
}

func TestStatusPageShowsFailure(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.statusErr = &client.TransportError{Err: errors.New("refused")}
	p := NewStatusPage(m)
	show(t, p.Content())
	p.choice.SetSelected("Offline")
	test.Tap(p.apply)
	if !p.problem.Visible() || !strings.Contains(p.problem.Text, "Can't reach the server") {
		t.Errorf("problem = %q", p.problem.Text)
	}
	if p.choice.Selected != "Online" {
		t.Errorf("failed change left the choice at %q; want the server's Online", p.choice.Selected)
	}
}

func TestNotificationsPage(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.me.Notifications = api.Notifications{Version: 2, EmailMissedCalls: true}
	login := &fakeLoginStart{}
	p := NewNotificationsPage(m, login)
	w := show(t, p.Content())
	assertGolden(t, "notifications.xml", w.Canvas())
	if len(m.notifs) != 0 {
		t.Fatalf("loading the page sent edits: %+v", m.notifs)
	}
	test.Tap(p.voicemail)
	want := api.Notifications{Version: 2, EmailMissedCalls: true, EmailVoicemails: true}
	if len(m.notifs) != 1 || m.notifs[0] != want {
		t.Fatalf("SetNotifications got %+v, want %+v", m.notifs, want)
	}
	if len(login.sets) != 0 {
		t.Fatalf("an email choice changed start at sign-in: %v", login.sets)
	}
}

func TestPlanPage(t *testing.T) {
	setup(t)
	srv := newFakeServer()
	p := NewPlanPage(srv, utcZone)
	w := show(t, p.Content())
	p.Load()
	assertGolden(t, "plan.xml", w.Canvas())
	if p.name.Text != "Unlimited" || len(p.usage.Objects) != 5 {
		t.Errorf("plan %q with %d usage rows", p.name.Text, len(p.usage.Objects))
	}

	srv.err = &client.TransportError{Err: errors.New("down")}
	p.Load()
	if !p.problem.Visible() {
		t.Error("a failed load says nothing")
	}
}

func TestAPIKeyPage(t *testing.T) {
	setup(t)
	srv := newFakeServer()
	p := NewAPIKeyPage(srv, utcZone)
	w := show(t, p.Content())
	p.Load()
	assertGolden(t, "apikey.xml", w.Canvas())
	if p.key.Text != "psk_••••••••abcd" || !p.reveal.Disabled() || !p.copyKey.Disabled() {
		t.Fatalf("initial: key %q", p.key.Text)
	}

	test.Type(p.password, "wrong")
	test.Tap(p.reveal)
	if p.key.Text != "psk_••••••••abcd" || !p.problem.Visible() {
		t.Fatalf("wrong password revealed the key or said nothing: %q", p.key.Text)
	}

	p.password.SetText("Phoneset-demo-1")
	test.Tap(p.reveal)
	if p.key.Text != "psk_live_1234abcd" || p.password.Text != "" || p.copyKey.Disabled() {
		t.Fatalf("reveal: key %q, password kept %q", p.key.Text, p.password.Text)
	}
	test.Tap(p.copyKey)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "psk_live_1234abcd" {
		t.Errorf("clipboard = %q", got)
	}

	p.password.SetText("Phoneset-demo-1")
	p.Regenerate()
	if p.key.Text != "psk_new_0123456789" {
		t.Errorf("after regenerate key = %q", p.key.Text)
	}
	p.Load()
	if p.key.Text != "psk_new_••••6789" {
		t.Errorf("leaving and returning keeps the key revealed: %q", p.key.Text)
	}
}

func TestSessionsCard(t *testing.T) {
	setup(t)
	srv := newFakeServer()
	p := NewSecurityPage(newFakeModel().Me, srv, func() {})
	w := show(t, p.Content())
	p.Load()
	assertGolden(t, "security.xml", w.Canvas())
	if len(p.sessions.list.Objects) != 3 {
		t.Fatalf("%d sessions shown", len(p.sessions.list.Objects))
	}
	p.sessions.run(func(ctx context.Context) error { return srv.RevokeSession(ctx, "s2") })
	if len(p.sessions.list.Objects) != 2 {
		t.Fatalf("revoked session still listed")
	}
	p.sessions.SignOutOthers()
	if len(p.sessions.list.Objects) != 1 || !p.sessions.others.Disabled() {
		t.Fatalf("sign out others left %d sessions", len(p.sessions.list.Objects))
	}
}

func TestPasswordCard(t *testing.T) {
	tests := []struct {
		name, current, next, repeat string
		enabled                     bool
	}{
		{"good", "Phoneset-demo-1", "Quiet-Harbour-42", "Quiet-Harbour-42", true},
		{"no current", "", "Quiet-Harbour-42", "Quiet-Harbour-42", false},
		{"mismatch", "Phoneset-demo-1", "Quiet-Harbour-42", "Quiet-Harbour-43", false},
		{"too short", "Phoneset-demo-1", "Qh-4", "Qh-4", false},
		{"no special", "Phoneset-demo-1", "QuietHarbour42", "QuietHarbour42", false},
		{"common", "Phoneset-demo-1", "Password1!", "Password1!", false},
		{"contains username", "Phoneset-demo-1", "Agent1-Harbour!", "Agent1-Harbour!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			srv := newFakeServer()
			p := NewSecurityPage(newFakeModel().Me, srv, func() {})
			show(t, p.Content())
			c := p.password
			c.current.SetText(tt.current)
			c.fields.password.SetText(tt.next)
			c.fields.repeat.SetText(tt.repeat)
			if c.save.Disabled() == tt.enabled {
				t.Fatalf("Change password enabled = %v, want %v (%+v)", !c.save.Disabled(), tt.enabled, c.fields.list.report)
			}
			if !tt.enabled {
				return
			}
			test.Tap(c.save)
			if srv.password != tt.next || c.current.Text != "" || c.fields.password.Text != "" {
				t.Fatalf("password not changed or fields kept: %v", srv.calls)
			}
			if !strings.Contains(c.result.Text, "other sessions were signed out") {
				t.Errorf("result = %q", c.result.Text)
			}
		})
	}
}

func TestPasswordChecklistRenders(t *testing.T) {
	setup(t)
	p := NewSecurityPage(newFakeModel().Me, newFakeServer(), func() {})
	w := show(t, p.Content())
	p.password.fields.password.SetText("harbour42")
	assertGolden(t, "security_checklist.xml", w.Canvas())
}

func TestDeleteAccountIsForAdminsAndSignsOut(t *testing.T) {
	setup(t)
	m := newFakeModel()
	srv := newFakeServer()
	signedOut := 0
	p := NewSecurityPage(m.Me, srv, func() { signedOut++ })
	show(t, p.Content())
	if p.deleteCard.Visible() {
		t.Fatal("delete offered to an agent")
	}
	m.me.User.Permissions = []string{api.PermAccount}
	p.Refresh()
	if !p.deleteCard.Visible() {
		t.Fatal("delete hidden from an admin")
	}
	p.deletePw.SetText("wrong")
	p.Delete()
	if signedOut != 0 || !p.deleteMsg.Visible() {
		t.Fatal("wrong password deleted or said nothing")
	}
	p.deletePw.SetText("Phoneset-demo-1")
	p.Delete()
	if signedOut != 1 {
		t.Fatal("not signed out after deleting the account")
	}
}

// utcZone shows times in UTC, so goldens don't depend on the machine.
func utcZone() *time.Location { return time.UTC }
