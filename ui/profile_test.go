package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestProfilePageRenders(t *testing.T) {
	setup(t)
	p := NewProfilePage(newFakeModel())
	w := show(t, p.Content())
	test.AssertRendersToMarkup(t, "profile.xml", w.Canvas())
}

func TestProfileShowsModel(t *testing.T) {
	setup(t)
	p := NewProfilePage(newFakeModel())
	want := map[string]string{"first_name": "Bo", "last_name": "Agent", "display_name": "Bo Agent"}
	for _, f := range p.fields {
		if f.entry.Text != want[f.key] {
			t.Errorf("%s = %q, want %q", f.key, f.entry.Text, want[f.key])
		}
	}
	if p.email.Text != "agent1@demo.phoneset.test" || p.user.Text != "agent1" {
		t.Errorf("email/username = %q/%q", p.email.Text, p.user.Text)
	}
	if !p.save.Disabled() || !p.revert.Disabled() {
		t.Error("Save and Revert enabled with nothing changed")
	}
}

func TestProfileSaveSendsOnlyChangedFields(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m)
	show(t, p.Content())
	name := p.fields[2].entry
	name.SetText("")
	test.Type(name, "Bo Renamed")
	if p.save.Disabled() {
		t.Fatal("Save disabled after an edit")
	}
	test.Tap(p.save)
	if len(m.updates) != 1 {
		t.Fatalf("UpdateProfile called %d times", len(m.updates))
	}
	u := m.updates[0]
	if u.DisplayName == nil || *u.DisplayName != "Bo Renamed" || u.FirstName != nil || u.LastName != nil {
		t.Fatalf("patch = %+v, want only display_name", u)
	}
	if !p.save.Disabled() || p.fields[2].dirty() {
		t.Error("page still dirty after save")
	}
}

func TestProfileRefusesInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		field int
		text  string
	}{
		{"empty display name", 2, ""},
		{"control character", 0, "Bo\x07"},
		{"too long", 1, strings.Repeat("x", 65)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			m := newFakeModel()
			p := NewProfilePage(m)
			show(t, p.Content())
			p.fields[tt.field].entry.SetText(tt.text)
			if !p.save.Disabled() {
				t.Error("Save enabled with an invalid field")
			}
			p.Save() // Return in a field calls Save even while the button is off
			if len(m.updates) != 0 {
				t.Fatalf("invalid value sent: %+v", m.updates)
			}
			if !p.problem.Visible() {
				t.Error("no message for the invalid field")
			}
		})
	}
}

func TestProfileRefreshKeepsTyping(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m)
	show(t, p.Content())
	p.fields[0].entry.SetText("Typing")
	m.me.Profile.FirstName = "FromServer"
	m.me.Profile.LastName = "Changed"
	p.Refresh()
	if got := p.fields[0].entry.Text; got != "Typing" {
		t.Errorf("refresh overwrote a field being edited: %q", got)
	}
	if got := p.fields[1].entry.Text; got != "Changed" {
		t.Errorf("untouched field not refreshed: %q", got)
	}
	test.Tap(p.revert)
	if got := p.fields[0].entry.Text; got != "FromServer" {
		t.Errorf("revert = %q, want the server's value", got)
	}
}

func TestProfileShowsServerFieldErrors(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.fieldErrs = map[string]string{"display_name": "is reserved", "unknown": "ignored"}
	p := NewProfilePage(m)
	show(t, p.Content())
	if !p.problem.Visible() || p.problem.Text != "Display name: is reserved" {
		t.Errorf("problem = %q (visible %v)", p.problem.Text, p.problem.Visible())
	}
}

func TestProfileSubmitOnEnter(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m)
	w := show(t, p.Content())
	p.Focus(w.Canvas())
	test.Type(p.fields[2].entry, "!")
	p.fields[2].entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	typed := p.fields[2].entry.Text
	if typed == "Bo Agent" || len(m.updates) != 1 || *m.updates[0].DisplayName != typed {
		t.Fatalf("Return did not save: %+v", m.updates)
	}
}
