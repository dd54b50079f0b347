package ui

import (
	"cmp"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
)

// ConflictModel lists and settles edits that met a change made elsewhere.
type ConflictModel interface {
	Conflicts() []account.Conflict
	Resolve(id string, keepLocal bool) error
}

// resolver shows each conflict with both values and lets the user keep
// theirs or take the other device's.
type resolver struct {
	model   ConflictModel
	list    *fyne.Container
	content fyne.CanvasObject
	onEmpty func()
}

func newResolver(m ConflictModel, onEmpty func()) *resolver {
	r := &resolver{model: m, list: container.NewVBox(), onEmpty: onEmpty}
	intro := widget.NewLabel(lang.L("These settings were changed on another device while you changed them here. Choose which value to keep."))
	intro.Wrapping = fyne.TextWrapWord
	r.content = container.NewVBox(intro, r.list)
	r.refresh()
	return r
}

func (r *resolver) refresh() {
	conflicts := r.model.Conflicts()
	if len(conflicts) == 0 {
		r.onEmpty()
	}
	rows := make([]fyne.CanvasObject, 0, len(conflicts))
	for _, c := range conflicts {
		id := c.ID
		keep := widget.NewButton(lang.L("Keep mine"), func() { r.resolve(id, true) })
		keep.Importance = widget.HighImportance
		take := widget.NewButton(lang.L("Use the other"), func() { r.resolve(id, false) })
		rows = append(rows, widget.NewCard(cmp.Or(fieldLabel(c.Field), c.Field), "", container.NewVBox(
			widget.NewForm(
				widget.NewFormItem(lang.L("Mine"), widget.NewLabel(c.Local)),
				widget.NewFormItem(lang.L("Other device"), widget.NewLabel(c.Server)),
			),
			container.NewHBox(keep, take),
		)))
	}
	r.list.Objects = rows
	r.list.Refresh()
}

func (r *resolver) resolve(id string, keepLocal bool) {
	if err := r.model.Resolve(id, keepLocal); err != nil {
		fyne.LogError("resolve conflict", err)
	}
	r.refresh()
}

// showResolver opens the resolver in a dialog over w; it closes itself
// when nothing is left to settle.
func showResolver(m ConflictModel, w fyne.Window) {
	var d dialog.Dialog
	r := newResolver(m, func() {
		if d != nil {
			d.Hide()
		}
	})
	d = dialog.NewCustom(lang.L("Resolve conflicts"), lang.L("Later"), container.NewGridWrap(fyne.NewSize(480, r.content.MinSize().Height), r.content), w)
	d.Show()
}
