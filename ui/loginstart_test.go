package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// fakeLoginStart behaves as the system does: the user's entry and IT's
// machine-wide one, the user's winning when present.
type fakeLoginStart struct {
	user, machine   bool
	readErr, setErr error
	sets            []bool
}

func (f *fakeLoginStart) State() (on, managed bool, err error) {
	return f.user || f.machine, !f.user && f.machine, f.readErr
}

func (f *fakeLoginStart) Set(on bool) error {
	f.sets = append(f.sets, on)
	if f.setErr != nil {
		return f.setErr
	}
	f.user = on
	return nil
}

func TestLoginStartSwitch(t *testing.T) {
	cases := []struct {
		name    string
		fake    fakeLoginStart
		tap     bool
		sets    []bool
		checked bool
		enabled bool
		note    string // part of the note shown, "" for none
		imp     widget.Importance
	}{
		{"off, turned on", fakeLoginStart{}, true, []bool{true}, true, true, "", 0},
		{"on, turned off", fakeLoginStart{user: true}, true, []bool{false}, false, true, "", 0},
		{"set by IT", fakeLoginStart{machine: true}, false, nil, true, false, "Your organisation starts Phoneset", widget.MediumImportance},
		// Turning off the user's own entry leaves IT's: the switch says so.
		{"both, user's turned off", fakeLoginStart{user: true, machine: true}, true, []bool{false}, true, false, "Your organisation starts Phoneset", widget.MediumImportance},
		{"unreadable", fakeLoginStart{readErr: errors.New("registry: access denied")}, false, nil, false, false, "Can't read whether Phoneset starts at sign-in: registry: access denied", widget.DangerImportance},
		{"write fails", fakeLoginStart{setErr: errors.New("read-only file system")}, true, []bool{true}, false, true, "Can't change whether Phoneset starts at sign-in: read-only file system", widget.DangerImportance},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			setup(t)
			f := tc.fake
			p := NewNotificationsPage(newFakeModel(), &f)
			show(t, p.Content())
			c := p.login
			if tc.tap {
				test.Tap(c.check)
			}
			if len(f.sets) != len(tc.sets) || (len(f.sets) > 0 && f.sets[0] != tc.sets[0]) {
				t.Errorf("Set calls %v, want %v", f.sets, tc.sets)
			}
			if c.check.Checked != tc.checked || c.check.Disabled() == tc.enabled {
				t.Errorf("switch checked %v disabled %v; want checked %v enabled %v", c.check.Checked, c.check.Disabled(), tc.checked, tc.enabled)
			}
			if tc.note == "" {
				if c.note.Visible() {
					t.Errorf("note %q shown", c.note.Text)
				}
				return
			}
			if !c.note.Visible() || !strings.Contains(c.note.Text, tc.note) || c.note.Importance != tc.imp {
				t.Errorf("note %q (visible %v, importance %v); want %q, %v", c.note.Text, c.note.Visible(), c.note.Importance, tc.note, tc.imp)
			}
		})
	}
}

// The switch follows the system, not what the page last did: a change made
// elsewhere (another Phoneset, the user removing the file) shows on the
// next refresh.
func TestLoginStartFollowsTheSystem(t *testing.T) {
	setup(t)
	f := &fakeLoginStart{}
	p := NewNotificationsPage(newFakeModel(), f)
	show(t, p.Content())
	f.user = true
	p.Refresh()
	if !p.login.check.Checked || len(f.sets) != 0 {
		t.Fatalf("checked %v after the system turned on; Set calls %v (refresh is not an edit)", p.login.check.Checked, f.sets)
	}
}

func TestNoLoginStartWithoutModel(t *testing.T) {
	setup(t)
	if p := NewNotificationsPage(newFakeModel(), nil); p.login != nil {
		t.Fatal("switch offered with nothing behind it")
	}
}
