package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/phoneset/phoneset/api"
)

// Status shortcuts: Ctrl+Shift (Cmd+Shift on macOS) with 1, 2, 3 in the
// Status page's order, and E for Extend. They are window menu shortcuts, so
// they work while the window has focus, even in a text field; Fyne has no
// global hotkeys (fyne-io/fyne#2304), so with the window in the background
// the tray menu is the quick way.
var (
	onlineShortcut      = statusShortcut(fyne.Key1)
	unavailableShortcut = statusShortcut(fyne.Key2)
	offlineShortcut     = statusShortcut(fyne.Key3)
	extendShortcut      = statusShortcut(fyne.KeyE)
)

func statusShortcut(key fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
}

// statusMenu is the window's Status menu. Unavailable takes the reason the
// organisation set for away (else its first), as on lock.
func (p *presence) statusMenu() *fyne.Menu {
	item := func(label string, s fyne.Shortcut, action func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, action)
		it.Shortcut = s
		return it
	}
	return fyne.NewMenu(lang.L("Status"),
		item(availabilityLabel(api.Online), onlineShortcut, func() { p.set(api.StatusUpdate{Availability: api.Online}) }),
		item(availabilityLabel(api.Unavailable), unavailableShortcut, func() {
			org := p.Me().Org
			if reason := api.AwayReason(org.Presence, org.ReasonCodes); reason != "" {
				p.set(api.StatusUpdate{Availability: api.Unavailable, ReasonCode: reason})
			}
		}),
		item(availabilityLabel(api.Offline), offlineShortcut, func() { p.set(api.StatusUpdate{Availability: api.Offline}) }),
		fyne.NewMenuItemSeparator(),
		item(extendLabel(), extendShortcut, p.extend),
	)
}
