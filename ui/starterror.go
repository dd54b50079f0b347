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
	content, _ := startErrorContent(err, lang.L("Check the server address, or ask your IT department."), w.Close)
	w.SetContent(content)
	w.Resize(fyne.NewSize(520, 220))
}

// startErrorContent says that the app can't start, why (err, selectable
// for a support ticket) and what to do (hint), with a Close button.
func startErrorContent(err error, hint string, close func()) (fyne.CanvasObject, *widget.Button) {
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	msg.Selectable = true
	heading := widget.NewLabelWithStyle(lang.L("Phoneset can't start"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h := widget.NewLabel(hint)
	h.Wrapping = fyne.TextWrapWord
	quit := widget.NewButton(lang.L("Close"), close)
	return container.NewPadded(container.NewVBox(heading, msg, h, container.NewHBox(quit))), quit
}
