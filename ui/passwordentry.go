package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// revealShortcut shows or hides a password being typed, as Alt+F8 does in
// Windows' own password boxes: the eye button at the end of the field
// takes no keyboard focus.
var revealShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyF8, Modifier: fyne.KeyModifierAlt}

// passwordEntry is a password field whose eye button also answers to
// revealShortcut.
type passwordEntry struct {
	widget.Entry
}

func newPasswordEntry() *passwordEntry {
	e := &passwordEntry{}
	e.Password = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewPasswordEntry
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut toggles the concealment on revealShortcut and leaves every
// other shortcut (paste, select all…) to the entry.
func (e *passwordEntry) TypedShortcut(s fyne.Shortcut) {
	if s.ShortcutName() == revealShortcut.ShortcutName() {
		e.Password = !e.Password
		e.Refresh()
		return
	}
	e.Entry.TypedShortcut(s)
}
