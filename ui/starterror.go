package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// ShowStartError runs a that shows only why the app cannot start (a bad
// machine-wide server setting): started from the Start menu there is no
// console to read. It returns when the window is closed.
func ShowStartError(a fyne.App, err error) {
	w := a.NewWindow("Phoneset")
	startErrorWindow(w, systemLanguage(), err)
	w.ShowAndRun()
}

func startErrorWindow(w fyne.Window, code string, err error) {
	if e := UseLanguage(code); e != nil {
		fyne.LogError("language "+code, e)
	}
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	msg.Selectable = true
	heading := widget.NewLabelWithStyle(lang.L("Phoneset can't start"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	hint := widget.NewLabel(lang.L("Check the server address, or ask your IT department."))
	hint.Wrapping = fyne.TextWrapWord
	quit := widget.NewButton(lang.L("Close"), w.Close)
	w.SetContent(container.NewPadded(container.NewVBox(heading, msg, hint, container.NewHBox(quit))))
	w.Resize(fyne.NewSize(520, 220))
}
