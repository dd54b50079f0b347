package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// validator adapts an api rule (nil means valid) to a Fyne entry validator
// whose message is in the user's language.
func validator(rule func(string) *api.Reason) fyne.StringValidator {
	return func(s string) error {
		if why := rule(s); why != nil {
			return errors.New(capitalise(reasonText(why)))
		}
		return nil
	}
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// windowFor finds the window showing obj, for dialogs.
func windowFor(obj fyne.CanvasObject) fyne.Window {
	c := fyne.CurrentApp().Driver().CanvasForObject(obj)
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w.Canvas() == c {
			return w
		}
	}
	return nil
}

// problemLabel is the hidden line where a page or card says what went wrong.
func problemLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// confirm asks before an action that can't be undone and runs then on yes.
func confirm(obj fyne.CanvasObject, title, message string, then func()) {
	w := windowFor(obj)
	if w == nil {
		return
	}
	dialog.ShowConfirm(title, message, func(ok bool) {
		if ok {
			then()
		}
	}, w)
}
