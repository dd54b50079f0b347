package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// askPassword shows a dialog over content that asks for the password with
// hint, re-authenticates the session with reauth, then runs retry; a
// failure goes to fail. The server wants a recently proven session for
// changes a stolen token must not make. It returns the dialog and its
// entry, nil when content is in no window.
func askPassword(content fyne.CanvasObject, hint string, reauth func(ctx context.Context, password string) error,
	fail func(error), retry func()) (*dialog.FormDialog, *widget.Entry) {
	w := windowFor(content)
	if w == nil {
		return nil, nil
	}
	pw := widget.NewPasswordEntry()
	d := dialog.NewForm(lang.L("Enter your password"), lang.L("Confirm"), lang.L("Cancel"),
		[]*widget.FormItem{{Text: lang.L("Password"), Widget: pw, HintText: hint}},
		func(ok bool) {
			if !ok {
				return
			}
			async(func() (struct{}, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				return struct{}{}, reauth(ctx, pw.Text)
			}, func(_ struct{}, err error) {
				if err != nil {
					fail(err)
					return
				}
				retry()
			})
		}, w)
	d.Show()
	return d, pw
}
