package ui

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
)

func TestSyncBadgeDescribesEveryState(t *testing.T) {
	tests := []struct {
		st   account.SyncState
		want string
	}{
		{account.SyncState{Kind: account.Synced}, "All changes saved"},
		{account.SyncState{Kind: account.Pending, Pending: 1}, "Saving 1 change…"},
		{account.SyncState{Kind: account.Pending, Pending: 3}, "Saving 3 changes…"},
		{account.SyncState{Kind: account.Offline, Pending: 2}, "Offline: 2 changes waiting"},
		{account.SyncState{Kind: account.Conflicted, Pending: 1}, "Conflict: review changes"},
		{account.SyncState{Kind: account.Error, Err: errors.New("disk full")}, "Sync error: disk full"},
	}
	setup(t)
	loadTranslations(t)
	for _, tt := range tests {
		b := NewSyncBadge(tt.st)
		if b.label.Text != tt.want {
			t.Errorf("%v: badge = %q, want %q", tt.st.Kind, b.label.Text, tt.want)
		}
	}
}

func TestShellRenders(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.sync = account.SyncState{Kind: account.Pending, Pending: 1}
	s := NewShell(m, newFakeServer().services(), func(string) {}, func() {})
	w := show(t, s.Content())
	assertGolden(t, "shell.xml", w.Canvas())
}

func TestShellFollowsTheModel(t *testing.T) {
	setup(t)
	m := newFakeModel()
	var title string
	signedOut := 0
	s := NewShell(m, newFakeServer().services(), func(t string) { title = t }, func() { signedOut++ })
	show(t, s.Content())
	if title != "Phoneset — Bo Agent" {
		t.Errorf("title = %q", title)
	}

	m.me.Profile.DisplayName = "Bo Renamed"
	m.sync = account.SyncState{Kind: account.Offline, Pending: 1}
	m.emit(account.MeChanged | account.SyncChanged)
	if title != "Phoneset — Bo Renamed" || s.title.Text != "Bo Renamed" {
		t.Errorf("title after change = %q / %q", title, s.title.Text)
	}
	if s.badge.state.Kind != account.Offline {
		t.Errorf("badge not updated: %v", s.badge.state.Kind)
	}
	if got := s.Current().(*ProfilePage).fields[2].entry.Text; got != "Bo Renamed" {
		t.Errorf("profile page not refreshed: %q", got)
	}

	// The server revoking the session sends the user back to sign-in once.
	m.signedIn = false
	m.emit(account.SessionChanged)
	m.emit(account.SessionChanged)
	if signedOut != 1 {
		t.Errorf("onSignOut called %d times, want 1", signedOut)
	}
}

func TestShellSignOut(t *testing.T) {
	setup(t)
	m := newFakeModel()
	signedOut := false
	s := NewShell(m, newFakeServer().services(), func(string) {}, func() { signedOut = true })
	show(t, s.Content())
	s.SignOut()
	if m.signOuts != 1 || !signedOut || len(m.subs) != 0 {
		t.Errorf("sign out: model calls %d, callback %v, subscriptions left %d", m.signOuts, signedOut, len(m.subs))
	}
}

func TestShellWarnsWithoutKeyring(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.keyringErr = errors.New("org.freedesktop.secrets was not provided")
	s := NewShell(m, newFakeServer().services(), func(string) {}, func() {})
	w := show(t, s.Content())
	assertGolden(t, "shell_nokeyring.xml", w.Canvas())
}

func TestShellDevicesWithoutAudioSaysWhy(t *testing.T) {
	setup(t)
	svc := newFakeServer().services()
	svc.Audio = newLazyAudio(func() (DevicesModel, error) { return nil, errors.New("no backend") })
	s := NewShell(newFakeModel(), svc, func(string) {}, func() {})
	show(t, s.Content())
	for i, it := range s.items {
		if it.id == "devices" {
			s.nav.Select(i)
		}
	}
	msg, ok := s.Current().(*audioPage).page.(*messagePage)
	if !ok {
		t.Fatalf("devices page without audio is %T", s.Current().(*audioPage).page)
	}
	if got := msg.content.(*fyne.Container).Objects[0].(*widget.Label).Text; got != "Audio devices aren't available: no backend" {
		t.Errorf("message = %q", got)
	}
}

func TestShellDropOpensPhotoPage(t *testing.T) {
	setup(t)
	s := NewShell(newFakeModel(), newFakeServer().services(), func(string) {}, func() {})
	show(t, s.Content())
	s.Drop([]fyne.URI{storage.NewFileURI("/nonexistent/me.gif")})
	if _, ok := s.Current().(*PhotoPage); !ok {
		t.Fatalf("drop left the shell on %T", s.Current())
	}
}

func TestShellNavMenu(t *testing.T) {
	setup(t)
	s := NewShell(newFakeModel(), newFakeServer().services(), func(string) {}, func() {})
	show(t, s.Content())
	menu := s.NavMenu()
	// Every page, then a separator, Next tab and Previous tab.
	if len(menu.Items) != len(s.items)+3 || !menu.Items[len(s.items)].IsSeparator {
		t.Fatalf("%d menu items for %d pages", len(menu.Items), len(s.items))
	}
	for _, want := range []string{"status", "apikey", "profile"} {
		idx := slices.IndexFunc(s.items, func(it navItem) bool { return it.id == want })
		it := menu.Items[idx]
		// Linux: Control (macOS would be Super).
		wantKey := "CustomDesktop:Control+" + strconv.Itoa(idx+1)
		if it.Shortcut == nil || it.Shortcut.ShortcutName() != wantKey {
			t.Errorf("%s shortcut = %v, want %s", want, it.Shortcut, wantKey)
		}
		it.Action()
		if s.current != idx {
			t.Fatalf("menu item %q shows page %d, want %d", it.Label, s.current, idx)
		}
	}
}

func TestShellShowsOrganisationToAdminsOnly(t *testing.T) {
	for _, admin := range []bool{false, true} {
		setup(t)
		m := newFakeModel()
		if admin {
			m.me.User.Permissions = []string{api.PermAccount}
		}
		svc := newFakeServer().services()
		svc.Org = newFakeOrg()
		s := NewShell(m, svc, func(string) {}, func() {})
		show(t, s.Content())
		has := slices.ContainsFunc(s.items, func(it navItem) bool { return it.id == "org" })
		if has != admin {
			t.Errorf("admin %v: Organisation in navigation = %v", admin, has)
		}
	}
}
