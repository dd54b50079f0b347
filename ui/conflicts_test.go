package ui

import (
	"testing"

	"github.com/phoneset/phoneset/account"
)

func TestResolver(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.conflicts = []account.Conflict{
		{ID: "profile.display_name", Kind: "profile", Field: "display_name", Local: "Bo Mine", Server: "Bo Theirs"},
		{ID: "notifications.email_voicemails", Kind: "notifications", Field: "email_voicemails", Local: "true", Server: "false"},
	}
	closed := false
	r := newResolver(m, func() { closed = true })
	w := show(t, r.content)
	assertGolden(t, "resolver.xml", w.Canvas())

	r.resolve("profile.display_name", true)
	if !m.resolved["profile.display_name"] || len(r.list.Objects) != 1 || closed {
		t.Fatalf("after keeping mine: resolved %v, %d rows, closed %v", m.resolved, len(r.list.Objects), closed)
	}
	r.resolve("notifications.email_voicemails", false)
	if kept, ok := m.resolved["notifications.email_voicemails"]; !ok || kept {
		t.Fatalf("use the other not passed on: %v", m.resolved)
	}
	if !closed || len(r.list.Objects) != 0 {
		t.Fatal("resolver stays open with nothing to resolve")
	}
}

func TestShellOpensResolverOnConflict(t *testing.T) {
	setup(t)
	m := newFakeModel()
	s := NewShell(m, newFakeServer().services(), func(string) {}, func() {})
	w := show(t, s.Content())
	m.conflicts = []account.Conflict{{ID: "profile.first_name", Field: "first_name", Local: "A", Server: "B"}}
	m.sync = account.SyncState{Kind: account.Conflicted}
	m.emit(account.ConflictsChanged | account.SyncChanged)
	if len(w.Canvas().Overlays().List()) != 1 {
		t.Fatal("no resolver shown for a new conflict")
	}
}
