//go:build !windows

package ui

import "fyne.io/fyne/v2"

// restore has nothing to add elsewhere: on X11 RequestFocus asks the window
// manager to activate the window (_NET_ACTIVE_WINDOW), which de-iconifies
// it; on macOS it activates the app and orders the window front (untried
// here on a minimised window: no Mac).
func restore(fyne.Window) {}
