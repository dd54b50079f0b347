package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
)

func TestPresenceNotifiesOnlyChangesMadeElsewhere(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := newPresence(m, fyne.CurrentApp(), func() {})

	// Our own change: no notification.
	test.AssertNotificationSent(t, nil, func() {
		if err := p.SetStatus(context.Background(), api.StatusUpdate{Availability: api.Offline}); err != nil {
			t.Fatal(err)
		}
		p.changed()
	})

	// An admin's change: a notification naming who and what.
	m.me.Status = api.Status{Version: m.me.Status.Version + 1, Availability: api.Unavailable, ReasonCode: "meeting", ChangedByName: "Ada Admin"}
	test.AssertNotificationSent(t, fyne.NewNotification("Status changed", "Your status is now Unavailable, set by Ada Admin."), p.changed)

	// The same version again (another refresh): nothing new.
	test.AssertNotificationSent(t, nil, p.changed)
}

func TestTrayMenuOffersEveryStatus(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := newPresence(m, fyne.CurrentApp(), func() {})
	menu := p.trayMenu()
	var labels []string
	for _, it := range menu.Items {
		labels = append(labels, it.Label)
	}
	want := []string{"Online", "Unavailable", "Offline", "", "Show Phoneset"}
	if len(labels) != len(want) {
		t.Fatalf("menu = %q", labels)
	}
	for i := range want {
		if labels[i] != want[i] {
			t.Fatalf("menu = %q, want %q", labels, want)
		}
	}
	if !menu.Items[0].Checked || menu.Items[2].Checked {
		t.Error("current status (Online) not the checked one")
	}
	reasons := menu.Items[1].ChildMenu.Items
	if len(reasons) != 2 || reasons[0].Label != "Lunch" {
		t.Fatalf("reasons = %+v", reasons)
	}
	// Choosing a reason sets Unavailable with it.
	reasons[1].Action()
	if len(m.statuses) != 1 || m.statuses[0] != (api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "meeting"}) {
		t.Fatalf("tray set %+v", m.statuses)
	}
	if !p.trayMenu().Items[1].Checked {
		t.Error("Unavailable not checked after choosing it")
	}

	// A failure is reported, since the tray has no page to show it on.
	m.statusErr = &api.Error{Status: 403, Code: api.CodeForbidden}
	test.AssertNotificationSent(t, fyne.NewNotification("Status not changed", "You don't have permission to do that."), menu.Items[2].Action)
}
