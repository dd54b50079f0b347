package ui

import "fyne.io/fyne/v2"

// Raise brings w in front of the user: shown if hidden, restored if
// minimised, and focused. A second start of the app asks for it.
func Raise(w fyne.Window) {
	w.Show()
	restore(w)
	w.RequestFocus()
}

// RaiseOnRequest raises w each time requests delivers, until it is closed
// (never for a nil channel).
func RaiseOnRequest(w fyne.Window, requests <-chan struct{}) {
	if requests == nil {
		return
	}
	go func() {
		for range requests {
			fyne.Do(func() { Raise(w) })
		}
	}()
}
