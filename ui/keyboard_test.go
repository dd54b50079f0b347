package ui

import (
	"fmt"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
)

// Every action must be reachable by keyboard. Fyne moves focus with Tab
// through every visible fyne.Focusable, so what a mouse can tap but Tab
// cannot reach is a Tappable that is not Focusable. This walks each page
// of an admin's shell (each Organisation tab too) and names any.
func TestEveryActionReachableByKeyboard(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.me.User.Permissions = []string{api.PermAccount}
	svc := newFakeServer().services()
	svc.Org = newFakeOrg()
	s := NewShell(m, svc, func(string) {}, func() {})
	w := show(t, s.Content())
	w.Resize(fyne.NewSize(1100, 800))

	for i, it := range s.items {
		s.Show(i)
		views := []string{it.id}
		var tabs *container.AppTabs
		walkVisible(w.Canvas().Content(), func(o fyne.CanvasObject) {
			if at, ok := o.(*container.AppTabs); ok && tabs == nil {
				tabs = at
			}
		})
		for j := 0; tabs != nil && j < len(tabs.Items); j++ {
			if j > 0 {
				// The Go menu's Next tab, as Ctrl+Page Down runs it.
				nextTab(t, s.NavMenu())
			}
			if tabs.SelectedIndex() != j {
				t.Fatalf("%s: Next tab shows tab %d, want %d", it.id, tabs.SelectedIndex(), j)
			}
			views = append(views, it.id+"/"+tabs.Items[j].Text)
			checkKeyboardReach(t, w, views[len(views)-1])
		}
		if tabs == nil {
			checkKeyboardReach(t, w, it.id)
		}
	}
}

func checkKeyboardReach(t *testing.T, w fyne.Window, view string) {
	t.Helper()
	var missed []string
	focusable := 0
	walkVisible(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
			return
		}
		if e, ok := o.(*widget.Entry); ok && e.Password {
			missed = append(missed, "password *widget.Entry (use newPasswordEntry)")
		}
		_, tappable := o.(fyne.Tappable)
		_, canFocus := o.(fyne.Focusable)
		if canFocus {
			focusable++
		}
		if tappable && !canFocus && !slices.Contains(keyboardByParent, fmt.Sprintf("%T", o)) {
			missed = append(missed, fmt.Sprintf("%T", o))
		}
	})
	if len(missed) > 0 {
		t.Errorf("%s: tappable but not reachable by Tab: %v", view, missed)
	}
	// Tab visits them all: as many distinct stops as focusables, then round.
	c := w.Canvas()
	c.Unfocus()
	seen := map[fyne.Focusable]bool{}
	for range focusable + 1 {
		c.FocusNext()
		if f := c.Focused(); f != nil {
			seen[f] = true
		}
	}
	if len(seen) != focusable {
		t.Errorf("%s: Tab stopped at %d of %d focusable widgets", view, len(seen), focusable)
	}
}

// keyboardByParent are Fyne's internal tappables whose action the keyboard
// has another way to: list rows (arrow keys and Space on the focused list),
// the password eye (Alt+F8 in the focused passwordEntry; a plain
// *widget.Entry with one is reported below), tab headers (the Go menu's
// Next tab and Previous tab, checked above) and scroll bars (Tab reaches
// every control inside; the mouse wheel and bars only move the view).
var keyboardByParent = []string{"*widget.listItem", "*widget.passwordRevealer", "*container.tabButton", "*widget.scrollBarArea"}

func nextTab(t *testing.T, menu *fyne.Menu) {
	t.Helper()
	for _, it := range menu.Items {
		if it.Shortcut != nil && it.Shortcut.ShortcutName() == "CustomDesktop:Control+Next" {
			it.Action()
			return
		}
	}
	t.Fatal("the Go menu has no Ctrl+Page Down")
}

// walkVisible calls f for o and every visible object inside it, as Fyne's
// focus traversal sees them.
func walkVisible(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkVisible(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walkVisible(c, f)
		}
	}
}

func TestPasswordEntryRevealsByKeyboard(t *testing.T) {
	setup(t)
	e := newPasswordEntry()
	w := show(t, e)
	w.Canvas().Focus(e)
	test.Type(e, "s3cret")
	for _, want := range []bool{false, true} {
		e.TypedShortcut(revealShortcut)
		if e.Password != want {
			t.Fatalf("after Alt+F8 Password = %v, want %v", e.Password, want)
		}
	}
	// Other shortcuts still reach the entry: select all, then typing replaces.
	e.TypedShortcut(&fyne.ShortcutSelectAll{})
	test.Type(e, "x")
	if e.Text != "x" {
		t.Errorf("text = %q after select all and typing", e.Text)
	}
}

func TestSyncBadgeByKeyboard(t *testing.T) {
	setup(t)
	b := NewSyncBadge(account.SyncState{Kind: account.Conflicted})
	opened := 0
	b.OnTapped = func() { opened++ }
	w := show(t, b)
	w.Canvas().FocusNext()
	if w.Canvas().Focused() != b || !b.focus.Visible() {
		t.Fatal("Tab does not reach the badge, or it shows no focus")
	}
	for _, k := range []fyne.KeyName{fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter, fyne.KeyA} {
		b.TypedKey(&fyne.KeyEvent{Name: k})
	}
	if opened != 3 {
		t.Errorf("Space, Return and Enter opened the resolver %d times, want 3", opened)
	}
	w.Canvas().Unfocus()
	if b.focus.Visible() {
		t.Error("focus highlight stays after focus left")
	}
}
