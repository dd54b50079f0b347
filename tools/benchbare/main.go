//go:build cgo

// Command benchbare is the reference for scripts/bench-ui.sh: the smallest
// Fyne app, one window titled "Bare" with a label, so the app's start-up
// time and memory can be compared with what Fyne itself costs. It has the
// app's window size, since the first frame's cost grows with its area.
//
// Fyne's GL driver needs cgo; the constraint keeps the cgo-free cross vet of
// internal/... (scripts/vet.sh) from tripping over it.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.phoneset.benchbare")
	w := a.NewWindow("Bare")
	w.SetContent(widget.NewLabel("Bare Fyne window"))
	w.Resize(fyne.NewSize(1024, 680))
	w.ShowAndRun()
}
