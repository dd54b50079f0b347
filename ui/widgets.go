package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// validator adapts an api rule ("" means valid) to a Fyne entry validator.
func validator(rule func(string) string) fyne.StringValidator {
	return func(s string) error {
		if why := rule(s); why != "" {
			return errors.New(why)
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
