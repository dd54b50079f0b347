package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
)

func TestStatusPage(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewStatusPage(m)
	w := show(t, p.Content())
	test.AssertRendersToMarkup(t, "status.xml", w.Canvas())

	if p.choice.Selected != "Online" || !p.reason.Disabled() || !p.apply.Disabled() {
		t.Fatalf("initial: choice %q, reason disabled %v, apply disabled %v", p.choice.Selected, p.reason.Disabled(), p.apply.Disabled())
	}
	if len(p.reason.Options) != 2 {
		t.Errorf("retired reason offered: %v", p.reason.Options)
	}
	// Unavailable needs a reason before it can be set.
	p.choice.SetSelected("Unavailable")
	if p.reason.Disabled() || !p.apply.Disabled() {
		t.Fatal("Unavailable without a reason can be applied")
	}
	p.reason.SetSelected("Lunch")
	test.Tap(p.apply)
	if len(m.statuses) != 1 || m.statuses[0] != (api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"}) {
		t.Fatalf("SetStatus got %+v", m.statuses)
	}
	if p.queue.Text != "You don't receive queue calls." {
		t.Errorf("queue note = %q", p.queue.Text)
	}
	// Offline carries no reason.
	p.choice.SetSelected("Offline")
	test.Tap(p.apply)
	if got := m.statuses[1]; got != (api.StatusUpdate{Availability: api.Offline}) {
		t.Fatalf("Offline sent %+v", got)
	}
}

func TestStatusPageShowsFailure(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.statusErr = &api.TransportError{Err: errors.New("refused")}
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
	p := NewNotificationsPage(m)
	w := show(t, p.Content())
	test.AssertRendersToMarkup(t, "notifications.xml", w.Canvas())
	if len(m.notifs) != 0 {
		t.Fatalf("loading the page sent edits: %+v", m.notifs)
	}
	test.Tap(p.voicemail)
	want := api.Notifications{Version: 2, EmailMissedCalls: true, EmailVoicemails: true}
	if len(m.notifs) != 1 || m.notifs[0] != want {
		t.Fatalf("SetNotifications got %+v, want %+v", m.notifs, want)
	}
}

func TestPlanPage(t *testing.T) {
	setup(t)
	srv := newFakeServer()
	p := NewPlanPage(srv)
	w := show(t, p.Content())
	p.Load()
	test.AssertRendersToMarkup(t, "plan.xml", w.Canvas())
	if p.name.Text != "Unlimited" || len(p.usage.Objects) != 5 {
		t.Errorf("plan %q with %d usage rows", p.name.Text, len(p.usage.Objects))
	}

	srv.err = &api.TransportError{Err: errors.New("down")}
	p.Load()
	if !p.problem.Visible() {
		t.Error("a failed load says nothing")
	}
}

func TestAPIKeyPage(t *testing.T) {
	setup(t)
	srv := newFakeServer()
	p := NewAPIKeyPage(srv)
	w := show(t, p.Content())
	p.Load()
	test.AssertRendersToMarkup(t, "apikey.xml", w.Canvas())
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
	p := NewSecurityPage(srv)
	w := show(t, p.Content())
	p.Load()
	test.AssertRendersToMarkup(t, "security.xml", w.Canvas())
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
