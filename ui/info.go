package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// infoCard shows the additional information on a profile: lines set by the
// organisation (read-only) and the user's own, which they add and remove.
type infoCard struct {
	model   ProfileModel
	admin   *widget.Form
	own     *fyne.Container
	label   *widget.Entry
	value   *widget.Entry
	add     *widget.Button
	problem *widget.Label
	content fyne.CanvasObject
}

func newInfoCard(m ProfileModel) *infoCard {
	c := &infoCard{model: m, admin: widget.NewForm(), own: container.NewVBox()}
	c.label = widget.NewEntry()
	c.label.SetPlaceHolder(lang.L("Label, e.g. Languages spoken"))
	c.value = widget.NewEntry()
	c.value.SetPlaceHolder(lang.L("Value"))
	c.label.OnChanged = func(string) { c.updateButton() }
	c.value.OnChanged = func(string) { c.updateButton() }
	c.value.OnSubmitted = func(string) { c.Add() }
	c.add = widget.NewButtonWithIcon(lang.L("Add info"), theme.ContentAddIcon(), c.Add)
	c.problem = problemLabel()
	note := infoLabel()
	note.SetText(lang.L("Set by your organisation; ask an admin to change it."))
	c.content = widget.NewCard(lang.L("Additional information"), "", container.NewVBox(
		c.admin, note, widget.NewSeparator(), c.own,
		container.NewGridWithColumns(3, c.label, c.value, c.add), c.problem))
	c.updateButton()
	return c
}

func (c *infoCard) refresh(me api.Me) {
	c.admin.Items = nil
	for _, f := range me.Profile.AdminInfo {
		c.admin.Append(f.Label, widget.NewLabel(f.Value))
	}
	c.admin.Refresh()
	rows := make([]fyne.CanvasObject, len(me.Profile.ExtraInfo))
	for i, f := range me.Profile.ExtraInfo {
		i := i
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { c.Remove(i) })
		rows[i] = container.NewBorder(nil, nil, nil, remove,
			container.NewGridWithColumns(2, widget.NewLabelWithStyle(f.Label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), widget.NewLabel(f.Value)))
	}
	c.own.Objects = rows
	c.own.Refresh()
}

func (c *infoCard) updateButton() {
	f := api.InfoField{Label: c.label.Text, Value: c.value.Text}
	_, why := api.ValidateInfo(f)
	setEnabled(c.add, why == nil)
}

func (c *infoCard) save(fields []api.InfoField) bool {
	if err := c.model.UpdateProfile(api.ProfilePatch{ExtraInfo: &fields}); err != nil {
		c.problem.SetText(describe(err))
		c.problem.Show()
		return false
	}
	c.problem.Hide()
	c.refresh(c.model.Me())
	return true
}

// Add appends the typed line to the user's own information.
func (c *infoCard) Add() {
	f := api.InfoField{Label: c.label.Text, Value: c.value.Text}
	if part, why := api.ValidateInfo(f); why != nil {
		label := lang.L("Label")
		if part == "value" {
			label = lang.L("Value")
		}
		c.problem.SetText(lang.L("{{.Field}}: {{.Reason}}", map[string]any{"Field": label, "Reason": reasonText(why)}))
		c.problem.Show()
		return
	}
	if c.save(append(slices.Clone(c.model.Me().Profile.ExtraInfo), f)) {
		c.label.SetText("")
		c.value.SetText("")
	}
}

// Remove deletes the user's i-th line.
func (c *infoCard) Remove(i int) {
	own := c.model.Me().Profile.ExtraInfo
	if i < len(own) {
		c.save(slices.Delete(slices.Clone(own), i, i+1))
	}
}
